"""The small-picture pass: a thumbnail-sized picture keeps few SIFT keypoints and the fit rests on a handful of
inliers; when both pictures are small and the first result weak, the angle check looks again on features of the
pictures enlarged, and keeps the better result."""

from PIL import Image

import photocheck.angle as angle_module
from photocheck.angle import check_angle
from photocheck.features import prepare
from photocheck.smallpass import SMALL_SIDE, enlarged_features
from photocheck.thresholds import Thresholds

from tests.photos import image, photo

from .conftest import count_calls, taken_again, thumbnail


def _thumbnail(im: Image.Image, side: int = 72) -> bytes:
    return thumbnail(im, side)


def _taken_again(name: str) -> Image.Image:
    """Brighter, flatter and softer, with sensor noise."""
    return taken_again(name, brightness=1.2, contrast=0.7, blur=1, noise=8)


def test_a_thumbnail_taken_again_passes_through_the_small_pass():
    first_shot, again = prepare(_thumbnail(image("rocket"))), prepare(_thumbnail(_taken_again("rocket")))
    first = angle_module._check_angle(first_shot, again, Thresholds().same_angle)
    assert not first.same_angle  # a handful of inliers on the thumbnail's own keypoints
    result = check_angle(first_shot, again, Thresholds().same_angle)
    assert result.same_angle and result.inliers > 3 * first.inliers, result


def test_a_different_spot_in_thumbnails_stays_refused():
    result = check_angle(prepare(_thumbnail(image("rocket"))), prepare(_thumbnail(image("coffee"))),
                         Thresholds().same_angle)
    assert not result.same_angle, result


def test_the_small_pass_stays_off_for_photos_of_ordinary_size(monkeypatch):
    looks = count_calls(monkeypatch, angle_module, "enlarged_features")
    a, b = prepare(photo("coffee")), prepare(photo("chelsea"))
    assert max(*a.shape, *b.shape) > SMALL_SIDE
    result = check_angle(a, b, Thresholds().same_angle)
    assert not result.same_angle and looks == []


def test_enlarged_features_are_more_and_in_the_pictures_own_pixels():
    small = prepare(_thumbnail(image("rocket")))
    h, w = small.shape
    enlarged = enlarged_features(small.gray)
    assert len(enlarged.points) > len(small.features().points)
    assert (enlarged.points >= -0.5).all() and (enlarged.points[:, 0] < w).all() and (enlarged.points[:, 1] < h).all()
