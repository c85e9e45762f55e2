"""A fixed camera's next frame is the same viewpoint but a new capture. When both photos keep their EXIF
capture time and the times differ, pixel agreement alone does not make the second one a copy."""

from photocheck import compare_pair
from tests.photoedits import with_exif


def test_same_pixels_with_another_capture_time_are_a_new_capture() -> None:
    first = with_exif("motorcycle_left", when="2026:03:01 09:00:00")
    later = with_exif("motorcycle_left", when="2026:03:01 09:20:00")
    r = compare_pair(first, later)
    assert r.copy_detail.new_capture and not r.copy


def test_same_capture_time_stays_a_copy() -> None:
    original = with_exif("motorcycle_left", when="2026:03:01 09:00:00")
    resent = with_exif("motorcycle_left", when="2026:03:01 09:00:00")
    r = compare_pair(original, resent)
    assert r.copy and not r.copy_detail.new_capture


def test_a_copy_without_capture_time_stays_a_copy() -> None:
    original = with_exif("motorcycle_left", when="2026:03:01 09:00:00")
    stripped = with_exif("motorcycle_left")
    r = compare_pair(original, stripped)
    assert r.copy and not r.copy_detail.new_capture
