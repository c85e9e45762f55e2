"""What makes a pair check cheaper must not change its answer: the two checks share one matching of
the two photos, mirrored features are computed only when the photo could be a mirror copy, and a
reduced SIFT input still reports points in working-image pixels."""

import cv2
import numpy as np

import photocheck.features as features_module
from photocheck import compare_pair
from photocheck.features import detect, match, mirror_plausible, prepare
from tests.photoedits import edited, mirrored
from tests.photocheck.conftest import count_calls
from tests.photos import photo


def test_both_checks_share_one_matching(monkeypatch) -> None:
    calls = count_calls(monkeypatch, features_module, "_match")
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


def test_reduced_detection_reports_working_image_pixels(monkeypatch) -> None:
    gray = prepare(edited("motorcycle_left", "jpeg90")).gray
    full = detect(gray)
    monkeypatch.setattr(features_module, "DETECT_PIXELS", gray.size // 4)
    monkeypatch.setattr(features_module, "DETECT_MIN_SIDE", 1)
    half = detect(gray)
    # Matched against the full-size run, the half-size points map onto it by the identity.
    pa, pb = match(full, half)
    m, inliers = cv2.estimateAffinePartial2D(pb, pa, method=cv2.RANSAC, ransacReprojThreshold=2.0)
    assert int(inliers.sum()) > 100
    assert abs(np.sqrt(abs(np.linalg.det(m[:, :2]))) - 1) < 0.01 and np.abs(m[:, 2]).max() < 1.0
