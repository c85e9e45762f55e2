"""A photo placed in a uniform frame (a figure or chat export: white or black padding around the picture) is
compared by its picture only. Two different spots exported in the same frame share the frame's straight edges
and corners exactly where they are: those must not count as the same angle."""

import io

import numpy as np
from PIL import Image

from photocheck.angle import check_angle, pictures
from photocheck.features import prepare
from photocheck.margins import picture_box
from photocheck.thresholds import Thresholds

from tests.photos import image


CANVAS = (720, 432)


def _placed(im: Image.Image) -> tuple[int, int, int, int]:
    """Where _framed puts the picture: 326 px high, its own aspect, in the middle of the canvas."""
    w = round(326 * im.width / im.height)
    x0, y0 = (CANVAS[0] - w) // 2, 53
    return x0, y0, x0 + w, y0 + 326


def _framed(im: Image.Image, colour: int = 255, noise: float = 0.0) -> bytes:
    """The picture shrunk into the middle of a wider canvas with uniform margins, as a figure export."""
    canvas = Image.new("RGB", CANVAS, (colour,) * 3)
    x0, y0, x1, y1 = _placed(im)
    canvas.paste(im.resize((x1 - x0, y1 - y0)), (x0, y0))
    arr = np.asarray(canvas).astype(float)
    if noise:
        arr += np.random.default_rng(1).normal(0, noise, arr.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_the_content_box_of_a_framed_photo_is_the_picture():
    gray = prepare(_framed(image("coffee"))).gray
    found = np.array(picture_box(gray)) / np.array(gray.shape[::-1] * 2)
    placed = np.array(_placed(image("coffee"))) / np.array(CANVAS * 2)
    assert np.abs(found - placed).max() < 0.01


def test_a_dark_noisy_frame_is_found_too():
    gray = prepare(_framed(image("coffee"), colour=30, noise=4.0)).gray
    found = np.array(picture_box(gray)) / np.array(gray.shape[::-1] * 2)
    placed = np.array(_placed(image("coffee"))) / np.array(CANVAS * 2)
    assert np.abs(found - placed).max() < 0.015


def test_a_photo_without_a_frame_keeps_all_of_itself():
    for name in ("coffee", "astronaut", "motorcycle_left", "chelsea"):
        gray = prepare(image_bytes(name)).gray
        assert picture_box(gray) == (0, 0, gray.shape[1], gray.shape[0]), name


def test_a_uniform_band_on_one_side_only_is_scene_not_a_frame():
    """Clear sky along the top (or a wall along one side) is part of the picture: only margins on two
    opposite sides make a frame."""
    im = image("coffee").copy()
    arr = np.asarray(im).copy()
    arr[:120] = (200, 215, 235)
    gray = prepare(_bytes(Image.fromarray(arr))).gray
    assert picture_box(gray) == (0, 0, gray.shape[1], gray.shape[0])


def test_two_different_spots_in_the_same_frame_are_not_the_same_angle():
    a, b = prepare(_framed(image("coffee"))), prepare(_framed(image("chelsea")))
    result = check_angle(a, b, Thresholds().same_angle)
    assert not result.same_angle
    assert result.block_agreement < 0.5


def test_one_spot_in_a_frame_still_matches_itself_taken_again():
    a = prepare(_framed(image("motorcycle_left")))
    b = prepare(_framed(image("motorcycle_right")))
    assert check_angle(a, b, Thresholds().same_angle).same_angle


def test_a_framed_photo_matches_the_same_spot_without_a_frame():
    a = prepare(image_bytes("motorcycle_left"))
    b = prepare(_framed(image("motorcycle_right")))
    assert check_angle(a, b, Thresholds().same_angle).same_angle


def _bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def image_bytes(name: str) -> bytes:
    return _bytes(image(name))


def test_a_dark_night_sky_and_street_are_not_a_frame():
    """At night the sky along the top and the unlit street along the bottom are both nearly uniform and
    dark: without a step into the picture they are scene."""
    arr = np.asarray(image("coffee")).astype(float) * 0.15 + 8
    arr[:70] = 10
    arr[-70:] = 12
    arr += np.random.default_rng(2).normal(0, 4, arr.shape)
    gray = prepare(_bytes(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)))).gray
    assert picture_box(gray) == (0, 0, gray.shape[1], gray.shape[0])


def test_two_photos_in_one_export_template_are_cut_alike():
    """A picture whose top is white sky on a white frame seems to have a deeper margin than its twin; the
    two are cut to the same box, or their structure could not be compared block by block."""
    left = np.asarray(image("motorcycle_left")).copy()
    left[:40] = 255  # a blown-out band along the top of the picture
    a = prepare(_framed(Image.fromarray(left)))
    b = prepare(_framed(image("motorcycle_right")))
    pa, pb = pictures(a, b)
    assert pa.shape == pb.shape
    assert check_angle(a, b, Thresholds().same_angle).same_angle
