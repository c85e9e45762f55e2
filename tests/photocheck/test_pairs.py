"""Copy and same-angle verdicts at the shipped thresholds (photocheck.Thresholds defaults), on real photos
and copies made from them. The pairs marked "near" score between the shipped threshold and a clearly
wrong one (same angle 0.219 vs 0.85 or 0.08, copy 0.610 vs 0.9 or 0.45), so moving a threshold fails a test
(tests/mutations.py moves them)."""

from collections.abc import Callable

import pytest

from photocheck import compare_pair
from tests.photoedits import brighter, cropped, edited, mirrored, thumbnail
from tests.photos import photo

Pair = tuple[Callable[[], bytes], Callable[[], bytes]]


def named(name: str) -> Callable[[], bytes]:
    return lambda: photo(name)


LEFT, RIGHT = named("motorcycle_left"), named("motorcycle_right")  # stereo pair: same spot, two cameras

COPIES: dict[str, Pair] = {
    "re-encoded q50": (LEFT, lambda: edited("motorcycle_left", "jpeg50")),
    "mirrored": (named("coffee"), lambda: mirrored("coffee")),
    "phone screenshot": (named("astronaut"), lambda: edited("astronaut", "shot_dark")),
    "crop 22 %": (named("chelsea"), lambda: edited("chelsea", "crop22")),
    # another aspect ratio: only an affine fit (x and y scaled apart) maps these onto the original
    "3:2 squeezed to 512x512": (named("coffee"), lambda: edited("coffee", "square512")),
    "3:2 squeezed to 300x300": (LEFT, lambda: edited("motorcycle_left", "square300")),
    # near: strong unsharp mask moves many pixels and keypoints; copy_score about 0.78-0.87
    "near: strongly sharpened": (named("astronaut"), lambda: edited("astronaut", "sharpen")),
    "near: strongly sharpened, 3:2": (named("chelsea"), lambda: edited("chelsea", "sharpen")),
}
NOT_COPIES: dict[str, Pair] = {
    "two cameras at once": (LEFT, RIGHT),
    "different scenes": (named("coffee"), named("chelsea")),
    "other shot, screenshotted": (LEFT, lambda: edited("motorcycle_right", "shot_dark")),
    # near: thumbnails of two separate shots share little sensor detail; copy_score about 0.52
    "near: thumbnails of separate shots": (lambda: thumbnail("motorcycle_left", 8), lambda: thumbnail("motorcycle_right", 8)),
}
SAME_ANGLE: dict[str, Pair] = {
    "near: second camera 193 mm aside": (LEFT, RIGHT),  # about 0.66
    "second camera, brighter exposure": (LEFT, lambda: brighter("motorcycle_right", 1.3)),
    "second camera, framed a little tighter": (LEFT, lambda: cropped("motorcycle_right", (0.05, 0.05, 0.95, 0.95))),
    # near: the second camera's photo as a night capture (dark, blue cast, lamps bright, sensor noise); about 0.64
    "near: second camera at night": (LEFT, lambda: edited("motorcycle_right", "night")),
}
OTHER_ANGLE: dict[str, Pair] = {
    "another scene": (LEFT, named("coffee")),
    "another scene, indoors": (named("chelsea"), named("astronaut")),
    # near: the second camera panned so two fifths of the spot are out of frame; about 0.11
    "near: second camera, panned": (LEFT, lambda: cropped("motorcycle_right", (0.4, 0.0, 1.0, 1.0))),
}


@pytest.mark.parametrize("pair", COPIES.values(), ids=COPIES.keys())
def test_copies_are_detected(pair: Pair) -> None:
    r = compare_pair(pair[0](), pair[1]())
    assert r.copy, r.copy_detail


@pytest.mark.parametrize("pair", NOT_COPIES.values(), ids=NOT_COPIES.keys())
def test_separate_shots_are_not_copies(pair: Pair) -> None:
    r = compare_pair(pair[0](), pair[1]())
    assert not r.copy, r.copy_detail


@pytest.mark.parametrize("pair", SAME_ANGLE.values(), ids=SAME_ANGLE.keys())
def test_same_angle(pair: Pair) -> None:
    r = compare_pair(pair[0](), pair[1]())
    assert r.same_angle, r.angle


@pytest.mark.parametrize("pair", OTHER_ANGLE.values(), ids=OTHER_ANGLE.keys())
def test_other_angle(pair: Pair) -> None:
    r = compare_pair(pair[0](), pair[1]())
    assert not r.same_angle, r.angle
    assert r.same_angle_score < 0.3
