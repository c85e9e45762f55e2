"""JPEG quantisation-table facts: estimated quality and whether the tables are the IJG standard ones.

Encoders in servers, editors and chat apps (libjpeg, Pillow, WeChat) scale the
IJG example tables from Annex K of the JPEG standard; many phone cameras ship
their own tables. IJG tables are therefore a (weak) sign of re-encoding.
Pillow reports tables in natural (row-major) order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
    luma = list(tables[0])
    chroma = list(tables[1]) if 1 in tables and len(tables[1]) == 64 else None
    best_q, best_err = 0, float("inf")
    for q in range(1, 101):
        err = sum(abs(a - b) for a, b in zip(luma, ijg_table(q)))
        if chroma is not None:
            err += sum(abs(a - b) for a, b in zip(chroma, ijg_table(q, True)))
        if err < best_err:
            best_q, best_err = q, err
    n = 128 if chroma is not None else 64
    return JpegQuality(best_q, best_err == 0, best_err / n)
