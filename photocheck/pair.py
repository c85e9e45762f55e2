"""compare_pair: both pair checks (copy and same angle) on a problem photo and a rectification photo."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .angle import AngleResult, check_angle
from .copy import CopyResult, check_copy
from .decode import LoadedImage
from .features import Prepared, prepare
from .thresholds import Thresholds


@dataclass(frozen=True)
class PairResult:
    same_angle: bool
    same_angle_score: float
    copy: bool
    copy_score: float
    angle: AngleResult
    copy_detail: CopyResult
    ms: float

    def to_dict(self) -> dict:
        return {
            "same_angle": self.same_angle,
            "same_angle_score": self.same_angle_score,
            "copy": self.copy,
            "copy_score": self.copy_score,
            "copy_score_is_bound": self.copy_detail.score_is_bound,  # an upper bound, the pixels were not compared
            "ms": round(self.ms, 1),
            "angle": self.angle.to_dict(),
            "copy_detail": self.copy_detail.to_dict(),
        }


def compare_pair(problem: bytes | LoadedImage | Prepared, rectified: bytes | LoadedImage | Prepared,
                 thresholds: Thresholds | None = None, *, exact_scores: bool = False) -> PairResult:
    """Raises ImageRejected when either photo cannot be decoded. Without `exact_scores`, work that cannot
    change a verdict is skipped (check_copy's exact_score=False; copy_detail.score_is_bound says so)."""
    th = thresholds or Thresholds()
    t0 = time.perf_counter()
    a = problem if isinstance(problem, Prepared) else prepare(problem)
    b = rectified if isinstance(rectified, Prepared) else prepare(rectified)
    # The angle check first: it matches the two photos once for both of its matchings, and the copy
    # check then finds the plain matches remembered.
    an = check_angle(a, b, th.same_angle)
    cp = check_copy(a, b, th.copy, exact_score=exact_scores)
    ms = (time.perf_counter() - t0) * 1000
    return PairResult(an.same_angle, an.same_angle_score, cp.copy, cp.copy_score, an, cp, ms)
