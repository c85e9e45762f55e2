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

The evidence is combined softly: each piece is floored, so one weak piece (a strong sharpening
that moves many pixels, an aspect-changing resize that loses keypoints) lowers the score but
never zeroes it alone.

A fixed camera's next frame minutes later is the same viewpoint but a new capture. Pixels tell
it apart only where something in the frame changed or the sensor noise is measurable; EXIF
capture times tell it apart whenever both photos keep them: two different DateTimeOriginal
values are two captures (`new_capture`), whatever the pixels say (see bench/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

import cv2
import numpy as np

from .align import Alignment, Residual, residual, similarity_alignment
from .features import Prepared
from .noise import NoiseAgreement

MIN_INLIERS = 12
# Noise level (grey levels, band-pass std in flat regions) at which the noise agreement and the
# high-pass correlation count equally. Brackets in the benchmark sit near 0.2, noise-free
# video frames near 0.05.
NOISE_FLOOR = 0.1
# No piece of evidence counts for less than this in the geometric mean (soft combination).
EVIDENCE_FLOOR = 0.05
AGREE_RANGE = (0.3, 0.9)  # agree_share mapped linearly onto 0..1 between these
# Capture times further apart than this are two captures (EXIF keeps whole seconds; bursts share one).
NEW_CAPTURE_S = 2.0
_EXIF_IFD, _DATETIME_ORIGINAL = 0x8769, 0x9003


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
    affine: bool = False  # B is A resized to another aspect ratio
    new_capture: bool = False  # both photos carry different EXIF capture times
    # The pixels were not compared because the verdict was already "not a copy" (check_copy's
    # exact_score=False): copy_score is then the most the comparison could have given, below the threshold.
    score_is_bound: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def copy_score(al: Alignment | None, res: Residual | None) -> float:
    """0..1: geometric mean of three pieces of evidence, each of which a separate shot fails; each is
    floored so that no single one zeroes the score."""
    if al is None or res is None or al.inliers < 4:
        return 0.0
    share = min(1.0, al.inlier_share / 0.6)
    low, high = AGREE_RANGE
    agree = min(1.0, max(0.0, (res.agree_share - low) / (high - low)))
    detail = fine_detail_agreement(res)
    score = 1.0
    for evidence in (share, agree, detail):
        score *= max(EVIDENCE_FLOOR, evidence) ** (1 / 3)
    if al.inliers < MIN_INLIERS:
        score *= al.inliers / MIN_INLIERS
    return float(score)


def fine_detail_agreement(res: Residual) -> float:
    """Noise agreement weighted by how measurable the noise is, the rest from the high-pass correlation."""
    level = res.noise.level
    weight = level * level / (level * level + NOISE_FLOOR * NOISE_FLOOR)
    return weight * max(0.0, res.noise.corr) + (1 - weight) * max(0.0, res.highpass_corr)


# Pixel evidence at its best: copy_score with it is the most the pixel comparison could still give.
BEST_RESIDUAL = Residual(coverage=1.0, agree_share=1.0, highpass_corr=1.0, noise=NoiseAgreement(1.0, 1.0))


def check_copy(a: Prepared, b: Prepared, threshold: float, *, exact_score: bool = True) -> CopyResult:
    """With exact_score=False the pixel comparison (about a third of a check with stored features) is
    skipped when its outcome cannot change the verdict: the photos carry different capture times, or the
    alignment alone keeps the score below `threshold` whatever the pixels say. The verdict is the same
    either way; only copy_score then reports that upper bound (score_is_bound)."""
    al = similarity_alignment(a, b)
    if al is not None and al.affine:
        b, al = _unsqueezed(a, b, al)
    new = new_capture(a, b)
    aligned = al is not None and al.inliers >= 4
    decided = not exact_score and aligned and (new or copy_score(al, BEST_RESIDUAL) < threshold)
    res = BEST_RESIDUAL if decided else residual(a, b, al) if aligned else None
    score = copy_score(al, res)
    if decided:
        res = None  # its figures below were never measured
    return CopyResult(
        copy=score >= threshold and not new,
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
        affine=bool(al.affine) if al else False,
        new_capture=new,
        score_is_bound=decided,
    )


def _unsqueezed(a: Prepared, b: Prepared, al: Alignment) -> tuple[Prepared, Alignment]:
    """B resized back to A's aspect ratio and aligned again: keypoints and pixels of a squeezed copy then
    match as well as those of a plain resize (the affine fit alone finds only part of them)."""
    sx, sy = (float(np.hypot(*al.matrix[:, i])) for i in (0, 1))
    hb, wb = b.shape
    width = max(8, round(wb * sx / sy))
    restored = Prepared(b.loaded, cv2.resize(b.gray, (width, hb), interpolation=cv2.INTER_AREA if width < wb
                                             else cv2.INTER_LINEAR))
    again = similarity_alignment(a, restored)
    if again is None or again.inliers <= al.inliers:
        return b, al
    return restored, replace(again, affine=True)


def new_capture(a: Prepared, b: Prepared) -> bool:
    """Both photos say when they were taken, and the times differ: the same viewpoint, a new capture.
    Only DateTimeOriginal counts: editors rewrite DateTime (modified) but keep the original's."""
    ta = _captured_at(a)
    tb = _captured_at(b) if ta is not None else None  # parsing EXIF costs ms: only when it can count
    return ta is not None and tb is not None and abs((ta - tb).total_seconds()) > NEW_CAPTURE_S


def _captured_at(p: Prepared) -> datetime | None:
    try:
        raw = p.loaded.exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL)
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except (ValueError, TypeError, KeyError, OSError):
        return None
