"""Decision thresholds. Defaults are the values chosen on the benchmark's tuning split
(see bench/RESULTS.md, section photocheck); a deployment may override any of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping


@dataclass(frozen=True)
class Thresholds:
    same_angle: float = 0.219  # same_angle_score >= this -> same angle (chosen at <= 5 % FPR)
    copy: float = 0.610  # copy_score >= this -> copy/edit of the other photo (chosen at <= 1 % FPR)
    # pHash radius that alone marks an earlier photo as reused. Fixed-camera frames sit at
    # distance 0-2 from each other, so the hash alone can only be trusted for near-exact copies.
    reuse_hash_radius: int = 1
    # Wider radius for candidates that are then confirmed by the pixel-level copy check
    # (when the caller can fetch the earlier photo's bytes).
    reuse_candidate_radius: int = 12
    gps_max_distance_m: float = 300.0  # EXIF GPS farther than this from the case -> not_original.far
    stale_tolerance_s: float = 120.0  # EXIF clock may lag dispatch by this much
    screenshot_weight_fail: float = 1.0  # signals of at least this weight fail the photo

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> "Thresholds":
        """Overrides from configuration; unknown keys are an error so typos do not pass silently."""
        if not values:
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise KeyError(f"unknown photocheck thresholds: {sorted(unknown)}")
        base = cls()
        cast = {k: type(getattr(base, k))(v) for k, v in values.items()}
        return replace(base, **cast)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
