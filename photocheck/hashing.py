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
    return _bits_to_int(h.hash)


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
    stack = np.stack(variants).reshape(len(variants), -1)
    bits = stack > np.median(stack, axis=1, keepdims=True)  # one median call instead of eight
    return tuple(_bits_to_int(b) for b in bits)


def _bits_to_int(bits: np.ndarray) -> int:
    """Row-major bits, first bit most significant (as imagehash's hex strings read)."""
    flat = np.asarray(bits, bool).ravel()
    return int.from_bytes(np.packbits(flat).tobytes(), "big") >> (-flat.size % 8)


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
    left, right = _content_span(_flat_lines(np.ascontiguousarray(gray.T), flat_share, tol))
    if bottom - top < 0.25 * h or right - left < 0.25 * w:
        return 0, 0, w, h
    return left, top, right, bottom


def _flat_lines(a: np.ndarray, share: float, tol: int) -> np.ndarray:
    # Row medians in integers: |a - (lo + hi) / 2| <= tol  <=>  |2a - lo - hi| <= 2 tol.
    n = a.shape[1]
    part = np.partition(a, [(n - 1) // 2, n // 2], axis=1)
    twice_med = part[:, (n - 1) // 2:(n - 1) // 2 + 1].astype(np.int16) + part[:, n // 2:n // 2 + 1]
    return np.count_nonzero(np.abs(2 * a.astype(np.int16) - twice_med) <= 2 * tol, axis=1) >= share * n


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
