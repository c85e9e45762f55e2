"""Perceptual hashes (imagehash pHash/dHash as 64-bit ints) and screenshot/border stripping."""

from __future__ import annotations

import imagehash
import numpy as np
import scipy.fftpack
from PIL import Image

# Dihedral group of the square: identity, 3 rotations, and their mirrors.
DIHEDRAL = (
    None,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
)


def hash_to_int(h: imagehash.ImageHash) -> int:
    bits = h.hash.flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def phash_int(gray: Image.Image) -> int:
    return hash_to_int(imagehash.phash(gray))


def dhash_int(gray: Image.Image) -> int:
    return hash_to_int(imagehash.dhash(gray))


def dihedral_phashes(gray: Image.Image) -> tuple[int, ...]:
    """imagehash's pHash of the image in all 8 rotations/mirrors, in DIHEDRAL order, from one DCT.

    A mirror of the 32x32 thumbnail flips the sign of odd-frequency DCT coefficients along
    that axis and a transpose transposes the coefficients, so one DCT yields all eight.
    """
    small = gray.convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.float64)
    low = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]
    sign = np.where(np.arange(8) % 2 == 0, 1.0, -1.0)
    flip_lr = low * sign[None, :]  # x -> -x
    flip_tb = low * sign[:, None]  # y -> -y
    rot180 = low * sign[:, None] * sign[None, :]
    variants = (
        low,  # identity
        flip_lr.T,  # ROTATE_90 (counter-clockwise): transpose then flip top-bottom
        rot180,  # ROTATE_180
        flip_tb.T,  # ROTATE_270
        flip_lr,  # FLIP_LEFT_RIGHT
        flip_tb,  # FLIP_TOP_BOTTOM
        low.T,  # TRANSPOSE
        rot180.T,  # TRANSVERSE
    )
    return tuple(_bits_to_int(v > np.median(v)) for v in variants)


def _bits_to_int(bits: np.ndarray) -> int:
    return int("".join("1" if b else "0" for b in bits.flatten()), 2)


def min_dihedral_distance(variants: tuple[int, ...], other: int) -> int:
    return min(hamming(v, other) for v in variants)


def content_box(gray: np.ndarray, *, flat_share: float = 0.9, tol: int = 10) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the photo inside flat borders, UI bars or caption strips.

    A line is "flat" when `flat_share` of its pixels are within `tol` of its median
    (a status bar with a clock is still mostly background). Content starts at the
    first run of non-flat lines long enough not to be a line of UI text.
    """
    h, w = gray.shape
    top, bottom = _content_span(_flat_lines(gray, flat_share, tol))
    left, right = _content_span(_flat_lines(gray.T, flat_share, tol))
    if bottom - top < 0.25 * h or right - left < 0.25 * w:
        return 0, 0, w, h
    return left, top, right, bottom


def _flat_lines(a: np.ndarray, share: float, tol: int) -> np.ndarray:
    med = np.median(a, axis=1, keepdims=True)
    return (np.abs(a.astype(np.int16) - med) <= tol).mean(axis=1) >= share


def _content_span(flat: np.ndarray) -> tuple[int, int]:
    n = flat.size
    run = max(3, int(0.06 * n))
    busy = ~flat
    # Sliding count of busy lines over a window of `run` lines.
    csum = np.concatenate([[0], np.cumsum(busy)])
    full = (csum[run:] - csum[:-run]) >= run
    idx = np.flatnonzero(full)
    if idx.size == 0:
        return 0, n
    return int(idx[0]), int(idx[-1] + run)
