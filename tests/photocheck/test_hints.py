"""After an angle mismatch the verdict says what to change, in words an officer can act on."""

from collections.abc import Callable

import pytest

from photocheck import compare_pair
from photocheck.verdict import MESSAGES, pair_reasons
from tests.photoedits import cropped, edited
from tests.photos import photo

LEFT = "motorcycle_left"

HINTS: dict[str, tuple[Callable[[], bytes], str]] = {
    # the second camera's photo, cut so its centre lies right of / left of / on the problem photo's
    "aimed right of the spot": (lambda: cropped("motorcycle_right", (0.4, 0.0, 1.0, 1.0)), "angle.too_right"),
    "aimed left of the spot": (lambda: cropped("motorcycle_right", (0.0, 0.0, 0.5, 1.0)), "angle.too_left"),
    "stood too close": (lambda: cropped("motorcycle_right", (0.25, 0.25, 0.75, 0.75)), "angle.too_close"),
    "too dark and elsewhere": (lambda: edited("coffee", "night"), "light.too_dark"),
}


@pytest.mark.parametrize("case", HINTS.values(), ids=HINTS.keys())
def test_angle_mismatch_says_what_to_change(case: tuple[Callable[[], bytes], str]) -> None:
    make, expected = case
    result = compare_pair(photo(LEFT), make())
    codes = [r.code for r in pair_reasons(result)]
    assert codes[0] == "angle.mismatch" and expected in codes, (codes, result.angle)


def test_a_matching_angle_gets_no_hints() -> None:
    result = compare_pair(photo(LEFT), photo("motorcycle_right"))
    assert pair_reasons(result) == []


def test_every_hint_is_short_chinese_with_a_next_step() -> None:
    for code, (message, fix) in MESSAGES.items():
        assert message and fix and len(message) <= 30 and fix.startswith("请"), code
