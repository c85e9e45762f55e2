"""Copy and same-angle verdicts on clear labelled pairs from pairs.csv (default thresholds)."""

import pytest

from photocheck import compare_pair

COPIES = [
    ("opensfm_lund/04.jpg", "gen_reuse/opensfm_lund__04__jpeg50.jpg"),
    ("exif_samples/gps__DSCN0040.jpg", "gen_reuse/exif_samples__gps__DSCN0040__mirror.jpg"),
    ("opensfm_lund/25.jpg", "gen_reuse/opensfm_lund__25__screenshot.jpg"),
    ("exif_samples/gps__DSCN0025.jpg", "gen_reuse/exif_samples__gps__DSCN0025__crop78.jpg"),
]
NOT_COPIES = [
    ("opensfm_lund/05.jpg", "opensfm_lund/06.jpg"),  # consecutive handheld shots
    ("evadb_uadetrac/uadetrac_f0000.jpg", "evadb_uadetrac/uadetrac_f0084.jpg"),  # fixed camera, 2.8 s
    ("opensfm_lund/08.jpg", "gen_reuse/opensfm_lund__09__screenshot.jpg"),  # other shot, screenshotted
    ("augly_tests/inputs__dfdc_1.jpg", "augly_tests/inputs__dfdc_2.jpg"),
]
SAME_ANGLE = [
    ("evadb_uadetrac/uadetrac_f0000.jpg", "evadb_uadetrac/uadetrac_f0250.jpg"),
    ("exposure_house/B.jpg", "exposure_house/D.jpg"),
    ("tilde_panorama_cam/2012_0104_09400.jpg", "tilde_panorama_cam/2012_0616_06200.jpg"),
]
OTHER_ANGLE = [
    ("opensfm_lund/01.jpg", "opensfm_lund/06.jpg"),
    ("opensfm_berlin/01.jpg", "opensfm_berlin/03.jpg"),
    ("exif_samples/gps__DSCN0025.jpg", "exif_samples/gps__DSCN0042.jpg"),
]


@pytest.mark.parametrize("a, b", COPIES)
def test_copies_are_detected(read, a: str, b: str) -> None:
    r = compare_pair(read(a), read(b))
    assert r.copy, r.copy_detail


@pytest.mark.parametrize("a, b", NOT_COPIES)
def test_separate_shots_are_not_copies(read, a: str, b: str) -> None:
    r = compare_pair(read(a), read(b))
    assert not r.copy, r.copy_detail


@pytest.mark.parametrize("a, b", SAME_ANGLE)
def test_same_angle(read, a: str, b: str) -> None:
    r = compare_pair(read(a), read(b))
    assert r.same_angle, r.angle


@pytest.mark.parametrize("a, b", OTHER_ANGLE)
def test_other_angle(read, a: str, b: str) -> None:
    r = compare_pair(read(a), read(b))
    assert not r.same_angle, r.angle
    assert r.same_angle_score < 0.3
