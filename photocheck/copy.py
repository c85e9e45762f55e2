"""Is photo B a copy or edit of photo A, rather than a new shot?

Hashes alone cannot tell a re-encoded copy from the next frame of a fixed camera.
What can: a copy maps onto the original by a similarity transform with nearly
all keypoints as inliers, and after alignment and tone matching the pixels agree
everywhere, down to the fine texture and sensor noise (high-pass correlation).
A separate shot of the same static scene has fresh noise, moved objects and,
when handheld, parallax that no similarity transform removes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .align import Alignment, Residual, residual, similarity_alignment
from .features import Prepared

MIN_INLIERS = 12


@dataclass(frozen=True)
class CopyResult:
    copy: bool
    copy_score: float
    inliers: int
    inlier_share: float
    agree_share: float
    highpass_corr: float
    scale: float
    mirrored: bool
    coverage: float

    def to_dict(self) -> dict:
        return asdict(self)


def copy_score(al: Alignment | None, res: Residual | None) -> float:
    """0..1: geometric mean of three pieces of evidence, each of which a separate shot fails."""
    if al is None or res is None or al.inliers < 4:
        return 0.0
    share = min(1.0, al.inlier_share / 0.6)
    agree = max(0.0, (res.agree_share - 0.5) / 0.5)
    detail = max(0.0, res.highpass_corr)
    score = (share * agree * detail) ** (1 / 3)
    if al.inliers < MIN_INLIERS:
        score *= al.inliers / MIN_INLIERS
    return float(score)


def check_copy(a: Prepared, b: Prepared, threshold: float) -> CopyResult:
    al = similarity_alignment(a, b)
    res = residual(a, b, al) if al is not None and al.inliers >= 4 else None
    score = copy_score(al, res)
    return CopyResult(
        copy=score >= threshold,
        copy_score=round(score, 4),
        inliers=al.inliers if al else 0,
        inlier_share=round(al.inlier_share, 4) if al else 0.0,
        agree_share=round(res.agree_share, 4) if res else 0.0,
        highpass_corr=round(res.highpass_corr, 4) if res else 0.0,
        scale=round(al.scale, 4) if al else 0.0,
        mirrored=bool(al.mirrored) if al else False,
        coverage=round(res.coverage, 4) if res else 0.0,
    )
