"""The learned-descriptor look of the small-picture pass: when both pictures are small and the result after the
enlarged SIFT look is still weak, the angle check pools SIFT's and TEBLID's matches on the same enlarged keypoints
into one fit. TEBLID comes with opencv-contrib (weights compiled in); without it the check says what to install."""

import cv2
import numpy as np
import pytest

import photocheck.angle as angle_module
from photocheck.angle import check_angle
from photocheck.features import prepare
from photocheck.learned import LearnedDescriptorMissing, pooled_matches, teblid, twin_picture
from photocheck.thresholds import Thresholds

from tests.photos import image, photo

from .conftest import count_calls
from .test_small_pass import _taken_again, _thumbnail


def test_a_weak_pair_of_small_pictures_gets_the_learned_look_and_a_different_spot_stays_refused(monkeypatch):
    looks = count_calls(monkeypatch, angle_module, "twin_picture")
    result = check_angle(prepare(_thumbnail(image("rocket"))), prepare(_thumbnail(image("coffee"))),
                         Thresholds().same_angle)
    assert not result.same_angle and len(looks) == 2, result  # one per picture


def test_a_strong_pair_of_small_pictures_does_not_get_it(monkeypatch):
    looks = count_calls(monkeypatch, angle_module, "twin_picture")
    shot = _thumbnail(image("rocket"), side=200)
    result = check_angle(prepare(shot), prepare(_thumbnail(_taken_again("rocket"), side=200)), Thresholds().same_angle)
    assert result.same_angle and looks == [], result


def test_photos_of_ordinary_size_do_not_get_it(monkeypatch):
    looks = count_calls(monkeypatch, angle_module, "twin_picture")
    result = check_angle(prepare(photo("coffee")), prepare(photo("chelsea")), Thresholds().same_angle)
    assert not result.same_angle and looks == []


def test_both_descriptors_sit_on_the_same_keypoints_and_a_match_both_make_counts_once():
    picture = twin_picture(prepare(_thumbnail(image("rocket"))).gray)
    assert len(picture.sift.points) > 20
    assert np.array_equal(picture.sift.points, picture.learned.points)
    assert picture.learned.descriptors.shape[1] == 256 and set(np.unique(picture.learned.descriptors)) <= {0.0, 1.0}
    (pa, pb), (near_a, near_b) = pooled_matches(picture, picture, np.float32([1, 1]), 20.0)
    # Matching a picture with itself: every keypoint's match is itself, made by both descriptors, listed once.
    assert len(near_a) == len(np.unique(near_a, axis=0)) and np.array_equal(near_a, near_b)


def test_without_opencv_contrib_the_check_says_what_to_install(monkeypatch):
    monkeypatch.delattr(cv2, "xfeatures2d")
    with pytest.raises(LearnedDescriptorMissing, match="opencv-contrib-python-headless"):
        teblid()
