"""What makes a pair check cheaper must not change its answer: the two checks share one matching of
the two photos, mirrored features are computed only when the photo could be a mirror copy, and a
reduced SIFT input still reports points in working-image pixels."""

import cv2
import numpy as np
import pytest
from PIL import Image

import photocheck.features as features_module
from photocheck import compare_pair
import photocheck.copy as copy_module
from photocheck.align import _agree_share, _interpolate_levels
from photocheck.features import detect, match, match_with_near, mirror_plausible, prepare, ratio_matches
from tests.photoedits import edited, mirrored, with_exif
from tests.photocheck.conftest import count_calls
from tests.photos import image, jpeg, photo


def test_both_checks_and_the_guided_matching_share_one_distance_matrix(monkeypatch) -> None:
    calls = count_calls(monkeypatch, features_module, "_partial_distances")
    r = compare_pair(photo("motorcycle_left"), photo("motorcycle_right"))
    assert r.same_angle and not r.copy
    assert calls == [1]


def test_mirror_features_only_for_a_possible_mirror_copy(monkeypatch) -> None:
    coffee = prepare(photo("coffee"))
    assert mirror_plausible(coffee, prepare(mirrored("coffee")))
    assert not mirror_plausible(coffee, prepare(photo("coffee")))
    assert not mirror_plausible(coffee, prepare(photo("chelsea")))
    detected = count_calls(monkeypatch, features_module, "detect")
    assert compare_pair(photo("coffee"), mirrored("coffee")).copy_detail.mirrored
    assert len(detected) == 3  # both photos, and the mirror of the copy
    detected.clear()
    assert not compare_pair(photo("coffee"), photo("chelsea")).copy
    assert len(detected) == 2


@pytest.mark.parametrize("describe_at_work_size", [False, True])
def test_reduced_detection_reports_working_image_pixels(monkeypatch, describe_at_work_size: bool) -> None:
    gray = prepare(edited("motorcycle_left", "jpeg90")).gray
    monkeypatch.setattr(features_module, "DETECT_PIXELS", None)
    full = detect(gray)
    monkeypatch.setattr(features_module, "DETECT_PIXELS", gray.size // 4)
    monkeypatch.setattr(features_module, "DETECT_MIN_SIDE", 1)
    monkeypatch.setattr(features_module, "DESCRIBE_AT_WORK_SIZE", describe_at_work_size)
    half = detect(gray)
    # Matched against the full-size run, the half-size points map onto it by the identity.
    pa, pb = match(full, half)
    m, inliers = cv2.estimateAffinePartial2D(pb, pa, method=cv2.RANSAC, ransacReprojThreshold=2.0)
    assert int(inliers.sum()) > 100
    assert abs(np.sqrt(abs(np.linalg.det(m[:, :2]))) - 1) < 0.01 and np.abs(m[:, 2]).max() < 1.0


def test_feature_points_are_the_keypoints_own_coordinates() -> None:
    """Points come from OpenCV's own conversion: exactly the keypoints' float32 coordinates, as reading
    each keypoint's pt in Python gave them; none at all for a blank image."""
    gray = prepare(photo("motorcycle_left")).gray
    found = cv2.SIFT_create(500).detect(gray, None)
    points = features_module._features(found, None).points
    assert len(found) > 100 and points.dtype == np.float32
    assert np.array_equal(points, np.float32([k.pt for k in found]))
    assert features_module._features((), None).points.shape == (0, 2)


def test_keypoints_moved_to_the_working_image_keep_opencvs_pyramid_level() -> None:
    """Describing reduced-copy keypoints on the working image takes each descriptor from the pyramid level
    its size says; for keypoints SIFT itself found on the working image that is the level SIFT gave them."""
    gray = prepare(photo("motorcycle_left")).gray
    found = cv2.SIFT_create(500).detect(gray, None)
    moved = features_module._in_working_image(found, 1.0, 1.0)
    levels = [((k.octave & 255), (k.octave >> 8) & 255) for k in found if (k.octave & 255) < 128]
    assert len(levels) > 100
    assert [((k.octave & 255), (k.octave >> 8) & 255) for k, f in zip(moved, found) if (f.octave & 255) < 128] == levels
    assert all(k.pt == f.pt and k.size == f.size for k, f in zip(moved, found))


def test_matching_gives_opencvs_ratio_matches() -> None:
    """The matrix-product matcher finds exactly the matches of OpenCV's brute-force knnMatch + ratio test."""
    pairs = [("motorcycle_left", "motorcycle_right"), ("coffee", "chelsea")]
    for left, right in pairs:
        da, db = (detect(prepare(photo(name)).gray).descriptors for name in (left, right))
        knn = cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2)
        expected = [(m.queryIdx, m.trainIdx) for m, n in knn if m.distance < 0.8 * n.distance]
        query, train = ratio_matches(da, db, 0.8)
        assert list(zip(query.tolist(), train.tolist())) == expected
        assert expected or left == "coffee"


@pytest.mark.parametrize("left, right, radius", [
    ("motorcycle_left", "motorcycle_right", 0.10), ("motorcycle_left", "motorcycle_right", 0.03),
    ("coffee", "chelsea", 0.10), ("astronaut", "astronaut", 0.20)])
def test_guided_matching_gives_opencvs_masked_ratio_matches(left: str, right: str, radius: float) -> None:
    """The guided matches, taken only from neighbouring grid cells, are exactly those of OpenCV's
    brute-force knnMatch restricted by a mask to the pairs within the radius (a single candidate matches),
    and the plain matches that come with them are match()'s."""
    a, b = (prepare(photo(name)) for name in (left, right))
    fa, fb = a.features(), b.features()
    pb = fb.points * np.float32([a.shape[1] / b.shape[1], a.shape[0] / b.shape[0]])
    r = radius * float(np.hypot(*a.shape))
    dx, dy = fa.points[:, None, 0] - pb[None, :, 0], fa.points[:, None, 1] - pb[None, :, 1]
    allowed = (dx * dx + dy * dy <= r * r).astype(np.uint8)
    knn = cv2.BFMatcher(cv2.NORM_L2).knnMatch(fa.descriptors, fb.descriptors, k=2, mask=allowed)
    expected = [m[0].queryIdx for m in knn if len(m) == 1 or (len(m) == 2 and m[0].distance < 0.8 * m[1].distance)]
    expected_b = [m[0].trainIdx for m in knn if len(m) == 1 or (len(m) == 2 and m[0].distance < 0.8 * m[1].distance)]
    plain, near = match_with_near(fa, fb, pb, r)
    assert len(expected) > 20
    np.testing.assert_array_equal(near[0], fa.points[expected])
    np.testing.assert_array_equal(near[1], pb[expected_b])
    fresh = features_module.Features(fa.points, fa.sizes, fa.descriptors)
    for got, want in zip(plain, match(fresh, fb)):
        np.testing.assert_array_equal(got, want)


def _agree_share_cell_by_cell(r, m, valid, cells=16, tol=8.0, min_corr=0.8) -> float:
    """The grid agreement as first written, one cell at a time (the reference for the vectorised one)."""
    h, w = r.shape
    ch, cw = max(4, h // cells), max(4, w // cells)
    rb, mb = cv2.GaussianBlur(r, (0, 0), 1.0), cv2.GaussianBlur(m, (0, 0), 1.0)
    agree = total = 0
    for y in range(0, h - ch + 1, ch):
        for x in range(0, w - cw + 1, cw):
            cell = (slice(y, y + ch), slice(x, x + cw))
            if not valid[cell].all():
                continue
            a, b = rb[cell].ravel().astype(np.float64), mb[cell].ravel().astype(np.float64)
            sa, sb = float(a.std()), float(b.std())
            total += 1
            if sa < 3.0 and sb < 3.0:
                agree += abs(float(a.mean()) - float(b.mean())) < tol
            elif min(sa, sb) > 1e-3:
                agree += float(((a - a.mean()) * (b - b.mean())).mean()) / (sa * sb) > min_corr
    return agree / total if total >= 8 else 0.0


def test_grid_agreement_counts_as_cell_by_cell() -> None:
    ref = prepare(photo("motorcycle_left")).gray.astype(np.float32)
    h, w = ref.shape
    valid = np.ones(ref.shape, bool)
    valid[: h // 3, : w // 4] = False  # a corner the other photo does not cover
    others = {
        "noisy copy": ref + np.random.default_rng(1).normal(0, 4, ref.shape).astype(np.float32),
        "other scene": cv2.resize(prepare(photo("motorcycle_right")).gray, (w, h)).astype(np.float32),
        "flat levels": np.full(ref.shape, 128, np.float32),
    }
    shares = {}
    for name, other in others.items():
        shares[name] = _agree_share(ref, other, valid)
        assert shares[name] == _agree_share_cell_by_cell(ref, other, valid), name
    assert shares["noisy copy"] > 0.9 > shares["other scene"]


def _turned(name: str, k: float) -> bytes:
    """The photo as seen from a viewpoint turned about the vertical axis (its right edge shrunk by 2k)."""
    rgb = np.asarray(image(name).convert("RGB"))
    h, w = rgb.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    turned = np.float32([[0, 0], [w, h * k], [w, h * (1 - k)], [0, h]])
    return jpeg(Image.fromarray(cv2.warpPerspective(rgb, cv2.getPerspectiveTransform(corners, turned), (w, h))))


def test_pixels_are_compared_only_when_they_can_decide(monkeypatch) -> None:
    """A pair whose alignment alone rules out a copy, or whose capture times differ, skips the pixel
    comparison; the verdict is the one the full check gives, and the reported score is its upper bound."""
    compared = count_calls(monkeypatch, copy_module, "residual")
    cases = {
        # the other shot seen from a turned viewpoint: few of its keypoints fit one similarity, so no pixel
        # agreement could make it a copy
        "separate shots": (photo("motorcycle_left"), _turned("motorcycle_right", 0.15), False),
        "new capture": (with_exif("motorcycle_left", when="2026:03:01 09:00:00"),
                        with_exif("motorcycle_left", when="2026:03:01 09:20:00"), False),
        "copy": (photo("coffee"), edited("coffee", "jpeg50"), True),
    }
    for name, (a, b, compares) in cases.items():
        compared.clear()
        quick = compare_pair(a, b)
        assert bool(compared) == compares and quick.copy_detail.score_is_bound != compares, name
        full = compare_pair(a, b, exact_scores=True)
        assert not full.copy_detail.score_is_bound
        assert (quick.copy, quick.same_angle, quick.same_angle_score) == (full.copy, full.same_angle,
                                                                          full.same_angle_score), name
        assert quick.copy_score >= full.copy_score
        if compares:
            assert quick.copy_detail == full.copy_detail


def test_tone_mapping_interpolates_as_numpy() -> None:
    rng = np.random.default_rng(0)
    lut = np.sort(rng.uniform(0, 255, 256))
    values = np.concatenate([rng.uniform(-2, 257, 50_000), np.arange(256)]).astype(np.float32)
    expected = np.interp(values, np.arange(256), lut).astype(np.float32)
    assert np.array_equal(_interpolate_levels(values, lut), expected)
