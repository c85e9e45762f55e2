"""Uniform margins around a picture (a figure or chat export, a letterbox): frame, not scene.

Two different spots exported in the same frame share its straight edges and corners at the same places, which
edge structure and local features would take for the same background; the same-angle check therefore compares
the pictures inside their frames.

Stricter than hashing.content_box (which the copy hashes use, and which also cuts a status bar or a caption
strip on one side): here a uniform band on one side only is scene, e.g. clear sky, and must stay.
"""

from __future__ import annotations

import numpy as np

# A line (row or column) belongs to the margin when nearly all its pixels lie this close (grey levels) to the
# outermost line's colour: room for JPEG ringing and the sensor-like noise of a dark export.
MARGIN_TOLERANCE = 14
MARGIN_SHARE = 0.98  # share of a line's pixels that must be margin-coloured
# A frame has margins on two opposite sides, each at least this share of the image: a uniform band on one
# side only (clear sky along the top, a wall along the left) is scene.
MIN_MARGIN = 0.02
# A frame ends in a step: the picture's first lines differ from the margin colour on average by more than the
# margin's own tolerance. A dark night sky fading into a dark street is uniform too, but has no such step.
MIN_STEP = MARGIN_TOLERANCE


def picture_box(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the picture inside a uniform frame; the whole image when there is no frame."""
    h, w = gray.shape
    top, bottom = _margin(gray), _margin(gray[::-1])
    left, right = _margin(gray.T), _margin(gray.T[::-1])
    framed_rows = min(top, bottom) >= MIN_MARGIN * h
    framed_cols = min(left, right) >= MIN_MARGIN * w
    if not framed_rows:
        top = bottom = 0
    if not framed_cols:
        left = right = 0
    if top + bottom >= 0.75 * h or left + right >= 0.75 * w:  # nearly blank: nothing to crop to
        return 0, 0, w, h
    return left, top, w - right, h - bottom


def _margin(lines: np.ndarray) -> int:
    """How many lines from the start are margin: uniform, of the first line's colour, and ending in a step."""
    first = lines[0].astype(np.int16)
    colour = int(np.median(first))
    if np.mean(np.abs(first - colour) <= MARGIN_TOLERANCE) < MARGIN_SHARE:
        return 0
    near = np.abs(lines.astype(np.int16) - colour) <= MARGIN_TOLERANCE
    uniform = near.mean(axis=1) >= MARGIN_SHARE
    if uniform.all():
        return len(lines)
    n = int(np.argmin(uniform))
    step = float(np.abs(lines[n:n + 3].astype(np.int16) - colour).mean())
    return n if step >= MIN_STEP else 0
