"""The plate finder reads plates as text (PP-OCR from the rapidocr wheel): blue, yellow and green plates,
level or turned, are found; lettering that is no plate is left alone unless a plate colour fills it."""

from __future__ import annotations

from bot.redaction.plates import find_plates, reads_as_plate
from tests.redaction.plate_scene import BLACK, BLUE, GREEN, SIGN_GREY, WHITE, YELLOW, plate, scene


def covers(found, box) -> bool:
    left, top, right, bottom = box
    for b in found:
        w = min(right, b.x + b.w) - max(left, b.x)
        h = min(bottom, b.y + b.h) - max(top, b.y)
        if w > 0 and h > 0 and w * h >= 0.5 * (right - left) * (bottom - top):
            return True
    return False


def test_blue_yellow_and_turned_green_plates_are_found():
    pixels, drawn = scene(
        (plate("京A·12345", BLUE, WHITE), (80, 120), 0),
        (plate("沪B·6789学", YELLOW, BLACK), (900, 160), 0),
        (plate("粤B·D12345", GREEN, BLACK, size=(480, 140)), (500, 800), 12),
    )
    found = find_plates(pixels)
    assert [covers(found, d.box) for d in drawn] == [True, True, True]
    assert all(b.kind == "plate" for b in found)


def test_a_sign_without_a_plate_number_is_not_a_plate():
    pixels, drawn = scene((plate("文明城市", SIGN_GREY, BLACK), (500, 300), 0))
    assert not covers(find_plates(pixels), drawn[0].box)


def test_an_unreadable_line_filled_with_plate_blue_is_still_a_plate():
    # the recogniser reads letters only (no plate number), but the line sits on plate blue
    pixels, drawn = scene((plate("京AXYZWV", BLUE, WHITE), (500, 300), 0))
    assert not reads_as_plate("京AXYZWV")
    assert covers(find_plates(pixels), drawn[0].box)
    grey, on_grey = scene((plate("京AXYZWV", SIGN_GREY, BLACK), (500, 300), 0))
    assert not covers(find_plates(grey), on_grey[0].box)


def test_what_reads_as_a_plate():
    assert reads_as_plate("京A·12345") and reads_as_plate("苏E-051712") and reads_as_plate("2V9L7")
    assert not reads_as_plate("公正法治") and not reads_as_plate("BANK OF BEIJING") and not reads_as_plate("24")
