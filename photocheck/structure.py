"""Block-wise agreement of image structure (gradient orientation) between two aligned photos.

Gradient orientation survives exposure, white balance, day/night and season, and
an unchanged background keeps its edges where they were; objects that came or
went only disturb the blocks they cover. Local contrast is equalised first (CLAHE)
so that at night the dim facade counts as much as the lamps, and by day the shade
as much as the sunlit wall: the score does not depend on absolute brightness.
"""

from __future__ import annotations

import cv2
import numpy as np

GRID_WIDTH = 192  # both images are compared on this common grid
_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))


def orientation_agreement(a: np.ndarray, b: np.ndarray, *, blocks: int = 8,
                          block_threshold: float = 0.3) -> tuple[float, float]:
    """(share of blocks whose edges agree, overall agreement in [-1, 1]), the better of a fine and a
    coarse scale: the coarse one still sees the scene's edges through the sensor noise of a night shot.

    `a` and `b` are greyscale arrays of (roughly) the same framing; `b` is resized to `a`'s grid.
    Agreement is the magnitude-weighted mean of cos(2 * angle difference), so edge polarity
    (a dark pole on bright sky at night vs. the reverse by day) does not matter.
    """
    w = GRID_WIDTH
    h = max(blocks, int(round(w * a.shape[0] / a.shape[1])))
    sa, sb = _equalised(a, (w, h)), _equalised(b, (w, h))
    return max(_agreement(_gradients(sa, sigma), _gradients(sb, sigma), blocks, block_threshold)
               for sigma in SCALES)


SCALES = (1.0, 2.5)  # Gaussian sigmas (grid pixels) of the two scales


def _agreement(ga: tuple[np.ndarray, np.ndarray], gb: tuple[np.ndarray, np.ndarray], blocks: int,
               block_threshold: float) -> tuple[float, float]:
    ax, ay = ga
    bx, by = gb
    h, w = ax.shape
    dot, cross = ax * bx + ay * by, ax * by - ay * bx
    weight = np.hypot(ax, ay) * np.hypot(bx, by)
    # |a||b|cos(2d) = (dot^2 - cross^2) / (|a||b|)
    num = (dot * dot - cross * cross) / (weight + 1e-6)
    total = float(num.sum() / (weight.sum() + 1e-6))
    wsum, nsum = _block_sums(weight, blocks).astype(np.float64), _block_sums(num, blocks).astype(np.float64)
    counted = wsum > 1e-3 * float(weight.sum()) / (blocks * blocks)  # a featureless block (sky, wall) says nothing
    agree = counted & (nsum / np.where(counted, wsum, 1.0) > block_threshold)
    n = int(counted.sum())
    return (int(agree.sum()) / n if n else 0.0), total


def _block_sums(x: np.ndarray, blocks: int) -> np.ndarray:
    """Sums of x over a blocks x blocks grid (the rest of the rows and columns left out), each added up as
    x[block].sum() would: row by row, each row's part at once."""
    bh, bw = x.shape[0] // blocks, x.shape[1] // blocks
    return x[:bh * blocks, :bw * blocks].reshape(blocks, bh, blocks, bw).sum(axis=3).sum(axis=1)

def _equalised(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    return _CLAHE.apply(np.ascontiguousarray(small, dtype=np.uint8)).astype(np.float32)


def _gradients(x: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    x = cv2.GaussianBlur(x, (0, 0), sigma)
    return cv2.Sobel(x, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(x, cv2.CV_32F, 0, 1, ksize=3)
