"""Is photo B a copy or edit of photo A, rather than a new shot?

Hashes alone cannot tell a re-encoded copy from the next frame of a fixed camera.
What can: a copy maps onto the original by a similarity transform with nearly
all keypoints as inliers, and after alignment and tone matching the pixels agree
everywhere, down to the fine texture and sensor noise (high-pass correlation).
A separate shot of the same static scene has fresh noise, moved objects and,
when handheld, parallax that no similarity transform removes.

A tripod exposure bracket or an HDR on/off pair aligns perfectly and its texture
agrees too (same scene, same lens). Only the noise tells it apart, so where the
flat regions carry measurable noise, their noise agreement (photocheck/noise.py)
stands in for the high-pass correlation as the fine-detail evidence; where they
carry none (video frames, GIFs, heavy JPEG), the high-pass correlation counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .align import Alignment, Residual, residual, similarity_alignment
from .features import Prepared

MIN_INLIERS = 12
# Noise level (grey levels, band-pass std in flat regions) at which the noise agreement and the
# high-pass correlation count equally. Brackets in the benchmark sit near 0.2, noise-free
# video frames near 0.05.
NOISE_FLOOR = 0.1


@dataclass(frozen=True)
class CopyResult:
    copy: bool
    copy_score: float
    inliers: int
    inlier_share: float
    agree_share: float
    highpass_corr: float
    noise_corr: float
    noise_level: float
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
    detail = fine_detail_agreement(res)
    score = (share * agree * detail) ** (1 / 3)
    if al.inliers < MIN_INLIERS:
        score *= al.inliers / MIN_INLIERS
    return float(score)


def fine_detail_agreement(res: Residual) -> float:
    """Noise agreement weighted by how measurable the noise is, the rest from the high-pass correlation."""
    level = res.noise.level
    weight = level * level / (level * level + NOISE_FLOOR * NOISE_FLOOR)
    return weight * max(0.0, res.noise.corr) + (1 - weight) * max(0.0, res.highpass_corr)


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
        noise_corr=round(res.noise.corr, 4) if res else 0.0,
        noise_level=round(res.noise.level, 4) if res else 0.0,
        scale=round(al.scale, 4) if al else 0.0,
        mirrored=bool(al.mirrored) if al else False,
        coverage=round(res.coverage, 4) if res else 0.0,
    )
