"""JPEG quantisation-table facts: estimated quality and whether the tables are the IJG standard ones.

Encoders in servers, editors and chat apps (libjpeg, Pillow, WeChat) scale the
IJG example tables from Annex K of the JPEG standard; many phone cameras ship
their own tables. IJG tables are therefore a (weak) sign of re-encoding.
Pillow reports tables in natural (row-major) order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_LUMA = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)
_CHROMA = (
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
) + (99,) * 32


@dataclass(frozen=True)
class JpegQuality:
    quality: int  # best-matching IJG quality 1..100
    standard: bool  # tables are exactly IJG-scaled at that quality
    error: float  # mean absolute difference to the best IJG table (0 = exact)


@lru_cache(maxsize=256)
def ijg_table(quality: int, chroma: bool = False) -> tuple[int, ...]:
    """The IJG table for `quality`, as libjpeg's jpeg_set_quality builds it (baseline-clamped)."""
    base = _CHROMA if chroma else _LUMA
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return tuple(min(255, max(1, (v * scale + 50) // 100)) for v in base)


def estimate_quality(tables: dict[int, list[int]] | None) -> JpegQuality | None:
    """Estimate quality from Pillow's `image.quantization`; None when there are no tables."""
    if not tables or 0 not in tables or len(tables[0]) != 64:
        return None
    luma_all, chroma_all = _all_tables()
    err = np.abs(luma_all - np.asarray(tables[0], np.int32)).sum(axis=1)
    n = 64
    if 1 in tables and len(tables[1]) == 64:
        err = err + np.abs(chroma_all - np.asarray(tables[1], np.int32)).sum(axis=1)
        n = 128
    best = int(np.argmin(err))  # first minimum: the lowest matching quality
    return JpegQuality(best + 1, int(err[best]) == 0, float(err[best]) / n)


@lru_cache(maxsize=1)
def _all_tables() -> tuple[np.ndarray, np.ndarray]:
    qs = range(1, 101)
    return (np.array([ijg_table(q) for q in qs], np.int32),
            np.array([ijg_table(q, True) for q in qs], np.int32))
