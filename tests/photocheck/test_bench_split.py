"""The bench's split and per-kind grouping: held-back sources stay held back, night copies are told apart."""

from bench.photocheck.analyse import misses, per_scene
from bench.photocheck import data
from bench.photocheck.data import EXTRA, EXTRA_TEST_GROUPS, EXTRA_TUNE_GROUPS, scene_kind, split_of


def test_real_revisit_and_day_night_sources_are_held_back():
    for group in ("cosplace_sfxl", "cosplace_tokyo", "timeflies_timelapse", "wxbs_light", "wxbs_view",
                  "imgraft_engabreen", "amos_webcams"):
        assert split_of(f"{EXTRA}images/{group}/x.jpg") == "test"
    assert not EXTRA_TEST_GROUPS & EXTRA_TUNE_GROUPS


def test_scene_kind_marks_the_generated_night():
    path = f"{EXTRA}images/timeflies_timelapse/frame_000.jpg"
    assert scene_kind("extra", path) == "fixed camera, sunset to night (real)"
    assert scene_kind("night:extra", path) == "fixed camera, sunset to night (real), B generated night"
    assert scene_kind("csv", "images/unknown_group/a.jpg") == "other"


def test_per_scene_counts_each_kind_apart():
    recs = [
        {"a": "images/evadb_uadetrac/a.jpg", "kind": "csv", "label": 1, "score": 0.9},
        {"a": "images/evadb_uadetrac/a.jpg", "kind": "csv", "label": 0, "score": 0.1},
        {"a": "images/evadb_uadetrac/a.jpg", "kind": "night:csv", "label": 1, "score": 0.05},
        {"a": "images/opensfm_lund/01.jpg", "kind": "csv", "label": 0, "score": 0.3},
    ]
    out = per_scene(recs, threshold=0.2)
    assert out["fixed camera"]["n_pos"] == 1 and out["fixed camera"]["n_neg"] == 1
    assert out["fixed camera"]["tpr_at_threshold"] == 1.0
    assert out["fixed camera, B generated night"]["tpr_at_threshold"] == 0.0
    assert out["handheld walk"]["fpr_at_threshold"] == 1.0


def test_report_names_the_shipped_threshold_when_it_is_not_the_tuning_choice():
    from bench.photocheck.report import _shipped_angle

    fig = {"tpr_at_threshold": 0.9, "fpr_at_threshold": 0.05, "accuracy": 0.9}
    res = {"thresholds": {"same_angle": 0.129}, "same_angle_shipped": {"threshold": 0.172, "tune": fig, "test": fig}}
    assert "0.172" in "".join(_shipped_angle(res))
    res["same_angle_shipped"]["threshold"] = 0.129
    assert _shipped_angle(res) == []


def test_a_same_angle_miss_says_which_component_decided():
    rec = {"a": "images/g/a.jpg", "b": "images/g/b.jpg", "kind": "extra", "label": 0, "score": 0.7,
           "inliers": 5, "shift": None, "blocks": 0.9, "light": (203.0, 43.0)}
    [line] = misses([rec], 0.172)
    assert line.startswith("FP 0.700") and "5 inliers, shift none, blocks 0.90, grey 203/43" in line


def test_later_groups_do_not_change_the_copies_drawn_for_earlier_photos(monkeypatch, tmp_path):
    earlier = ["images/a/1.jpg", f"{EXTRA}images/cosplace_sfxl/x.jpg", f"{EXTRA}images/loftr_scannet/z.jpg"]
    monkeypatch.setattr(data, "distinct_images", lambda root: list(earlier))
    before = data.synthetic_pairs(tmp_path, per_image=2)
    # distinct_images lists each dir sorted by path: the new group lands between the two extra groups
    monkeypatch.setattr(data, "distinct_images",
                        lambda root: [*earlier[:2], f"{EXTRA}images/imgraft_engabreen/y.jpg", earlier[2]])
    after = data.synthetic_pairs(tmp_path, per_image=2)
    assert after[:len(before)] == before
    assert {p.a for p in after[len(before):]} == {f"{EXTRA}images/imgraft_engabreen/y.jpg"}
