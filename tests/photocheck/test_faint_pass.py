"""The faint pass: a photo taken again in near darkness keeps few or no keypoints at SIFT's usual contrast
threshold; the angle check then looks again with the threshold scaled to each photo's contrast, only when the
light is poor and the first result weak, and keeps the better of the two."""

import numpy as np
from PIL import Image

import photocheck.angle as angle_module
from photocheck.angle import check_angle
from photocheck.features import SIFT_CONTRAST, faint_contrast, prepare
from photocheck.thresholds import Thresholds

from tests.photos import image, jpeg, photo

from .conftest import count_calls


def _in_the_dark(name: str, gain: float = 0.1) -> bytes:
    """The same shot with little light: gain, gamma 1.6 and high-ISO noise (mean grey under 10)."""
    x = np.asarray(image(name), np.float32) / 255.0
    dark = gain * x ** 1.6 * 255 + np.random.default_rng(1).normal(0, 4.0, x.shape)
    return jpeg(Image.fromarray(np.clip(dark, 0, 255).astype(np.uint8)))


def test_a_faint_photo_gets_a_lower_contrast_threshold_and_an_ordinary_one_keeps_the_default():
    assert faint_contrast(prepare(photo("astronaut")).gray) == SIFT_CONTRAST
    assert faint_contrast(prepare(_in_the_dark("chelsea")).gray) < SIFT_CONTRAST / 2


def test_the_same_spot_in_near_darkness_passes_through_the_faint_pass():
    day, night = prepare(photo("chelsea")), prepare(_in_the_dark("chelsea"))
    first = angle_module._check_angle(day, night, Thresholds().same_angle)
    assert not first.same_angle  # too few keypoints in the dark photo at the usual threshold
    result = check_angle(day, night, Thresholds().same_angle)
    assert result.same_angle and result.inliers > first.inliers, result


def test_the_faint_pass_stays_off_in_good_light(monkeypatch):
    detections = count_calls(monkeypatch, angle_module, "faint_features")
    result = check_angle(prepare(photo("coffee")), prepare(photo("chelsea")), Thresholds().same_angle)
    assert not result.same_angle and detections == []


def test_a_different_spot_in_the_dark_stays_refused():
    result = check_angle(prepare(photo("coffee")), prepare(_in_the_dark("chelsea")), Thresholds().same_angle)
    assert not result.same_angle, result
