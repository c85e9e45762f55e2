"""Block-wise agreement of image structure (gradient orientation) between two aligned photos.

Gradient orientation survives exposure, white balance, day/night and season, and
an unchanged background keeps its edges where they were; objects that came or
went only disturb the blocks they cover.
"""

from __future__ import annotations

import cv2
import numpy as np

GRID_WIDTH = 192  # both images are compared on this common grid


def orientation_agreement(a: np.ndarray, b: np.ndarray, *, blocks: int = 8,
                          block_threshold: float = 0.3) -> tuple[float, float]:
    """(share of blocks whose edges agree, overall agreement in [-1, 1]).

    `a` and `b` are greyscale arrays of (roughly) the same framing; `b` is resized to `a`'s grid.
    Agreement is the magnitude-weighted mean of cos(2 * angle difference), so edge polarity
    (a dark pole on bright sky at night vs. the reverse by day) does not matter.
    """
    w = GRID_WIDTH
    h = max(blocks, int(round(w * a.shape[0] / a.shape[1])))
    ga, gb = _gradients(a, (w, h)), _gradients(b, (w, h))
    ax, ay = ga
    bx, by = gb
    dot, cross = ax * bx + ay * by, ax * by - ay * bx
    weight = np.hypot(ax, ay) * np.hypot(bx, by)
    # |a||b|cos(2d) = (dot^2 - cross^2) / (|a||b|)
    num = (dot * dot - cross * cross) / (weight + 1e-6)
    total = float(num.sum() / (weight.sum() + 1e-6))
    bh, bw = h // blocks, w // blocks
    agree = counted = 0
    for i in range(blocks):
        for j in range(blocks):
            sl = (slice(i * bh, (i + 1) * bh), slice(j * bw, (j + 1) * bw))
            wsum = float(weight[sl].sum())
            if wsum <= 1e-3 * float(weight.sum()) / (blocks * blocks):
                continue  # a featureless block (sky, wall) says nothing
            counted += 1
            agree += float(num[sl].sum()) / wsum > block_threshold
    return (agree / counted if counted else 0.0), total


def _gradients(img: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    x = cv2.resize(img, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    x = cv2.GaussianBlur(x, (0, 0), 1.0)
    return cv2.Sobel(x, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(x, cv2.CV_32F, 0, 1, ksize=3)
