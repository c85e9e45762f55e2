"""Guided matching: a same-angle photo keeps each feature near its place, so a window is told only from its
neighbours, not from every alike window of the street. On a facade of repeated panels the plain ratio test
rejects most matches (each panel has twins); the guided one keeps them, and the pair passes as the same angle."""

import numpy as np
import pytest
from PIL import Image

import photocheck.angle as angle_module
from photocheck.angle import NEAR_RADIUS, check_angle, near_matches
from photocheck.features import match, prepare
from photocheck.thresholds import Thresholds

from tests.photoedits import cropped
from tests.photos import photo

from .conftest import count_calls, jpeg_bytes, textured


def _facade(shift: int = 0, seed: int = 3) -> bytes:
    """Four copies of one textured panel side by side (a row of alike shop fronts); `shift` moves the camera."""
    panel = np.asarray(textured(160, 240, seed=seed))
    row = np.concatenate([panel] * 4, axis=1)
    noise = np.random.default_rng(seed + shift).normal(0, 3, row.shape)
    view = np.roll(row.astype(float) + noise, shift, axis=1)[:, 8:-8]
    return jpeg_bytes(Image.fromarray(np.clip(view, 0, 255).astype(np.uint8)))


def _true_matches(pa: np.ndarray, pb: np.ndarray, shift: int) -> int:
    """Matches that point to the same panel, moved by the camera shift (not to a twin panel 160 px away)."""
    return int((np.abs(pb[:, 0] - pa[:, 0] - shift) < 3).sum())


def test_guided_matching_keeps_the_matches_that_repeated_panels_make_ambiguous():
    a, b = prepare(_facade()), prepare(_facade(shift=6))
    h, w = a.shape
    plain = _true_matches(*match(a.features(), b.features()), shift=6)
    guided = _true_matches(*near_matches(a.features(), b.features(), np.float32([1.0, 1.0]),
                                         NEAR_RADIUS * np.hypot(w, h)), shift=6)
    assert guided > 3 * plain


def test_repeated_panels_from_the_same_spot_are_the_same_angle():
    r = check_angle(prepare(_facade()), prepare(_facade(shift=6)), Thresholds().same_angle)
    assert r.same_angle, r


def _panned(name: str, share: float) -> tuple[bytes, bytes]:
    """Two views of one scene, the camera panned by `share` of the width: farther than the guided radius."""
    return cropped(name, (0, 0, 1 - share, 1)), cropped(name, (share, 0, 1, 1))


@pytest.mark.parametrize("pair", ["panned astronaut", "panned motorcycle", "motorcycle left/right", "coffee/chelsea"])
def test_skipping_the_guided_fit_that_cannot_win_changes_nothing(monkeypatch, pair: str) -> None:
    a, b = {"panned astronaut": lambda: _panned("astronaut", 0.25),
            "panned motorcycle": lambda: _panned("motorcycle_left", 0.15),
            "motorcycle left/right": lambda: (photo("motorcycle_left"), photo("motorcycle_right")),
            "coffee/chelsea": lambda: (photo("coffee"), photo("chelsea"))}[pair]()
    pa, pb = prepare(a), prepare(b)
    fits = count_calls(monkeypatch, angle_module, "_homography")
    with_shortcut = check_angle(pa, pb, Thresholds().same_angle)
    monkeypatch.setattr(angle_module, "guided_fit_can_win", lambda near_matches, inliers: True)
    without = check_angle(pa, pb, Thresholds().same_angle)
    assert with_shortcut == without
    # The panned views match well over the whole image and hardly near the same place: one fit is skipped.
    assert len(fits) == (3 if pair.startswith("panned") else 4)
