"""check_rectification: the full verdict on one rectification photo."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime

from .copy import check_copy
from .decode import ImageRejected
from .featureblob import use_stored
from .features import prepare
from .fingerprint import Fingerprint, fingerprint_loaded
from .hashing import hamming
from .index import HashIndex
from .originality import Signal, originality_signals
from .pair import PairResult, compare_pair
from .thresholds import Thresholds
from .verdict import Reason, Verdict, pair_reasons

Earlier = HashIndex | Iterable[Fingerprint] | Iterable[tuple[Hashable, Fingerprint]]


def check_rectification(
    problem: bytes,
    rectified: bytes,
    *,
    earlier: Earlier | None = None,
    not_before: datetime | None = None,
    expected_location: tuple[float, float] | None = None,
    thresholds: Thresholds | None = None,
    fetch_earlier: Callable[[Hashable], bytes | None] | None = None,
    problem_features: bytes | None = None,
    rectified_features: bytes | None = None,
) -> Verdict:
    """Verdict on `rectified` as the rectification photo for `problem`.

    `earlier`: photos the rectification must not duplicate (other cases, earlier uploads), as a
    HashIndex of pHashes, or fingerprints (optionally with ids). `not_before`: dispatch time.
    `expected_location`: (lat, lon) of the case in the datum EXIF uses (WGS-84).
    `fetch_earlier(id) -> bytes`: when given, hash candidates within `reuse_candidate_radius` are
    confirmed with the pixel-level copy check; otherwise only `reuse_hash_radius` counts.
    `problem_features`, `rectified_features`: the photos' stored features blobs (featureblob.describe),
    used instead of computing them again when they fit.
    Raises ImageRejected when either photo cannot be decoded.
    """
    th = thresholds or Thresholds()
    a, b = prepare(problem), prepare(rectified)
    use_stored(a, problem_features)
    use_stored(b, rectified_features)
    fp = fingerprint_loaded(rectified, b.loaded)
    pair: PairResult = compare_pair(a, b, th)
    reasons: list[Reason] = pair_reasons(pair)
    reused: list[Hashable] = []
    if earlier is not None:
        radius = th.reuse_candidate_radius if fetch_earlier else th.reuse_hash_radius
        reused = _earlier_matches(fp, earlier, radius)
        if fetch_earlier:
            reused = [k for k in reused if _confirmed_copy(fetch_earlier, k, b, th.copy)]
    if reused and not pair.copy:
        reasons.insert(0, Reason.of("not_original.reused", 1.0))
    signals = originality_signals(fp, not_before=not_before, expected_location=expected_location,
                                  max_distance_m=th.gps_max_distance_m,
                                  stale_tolerance_s=th.stale_tolerance_s)
    reasons += _signal_reasons(signals, th.screenshot_weight_fail)
    return Verdict(not reasons, tuple(reasons), pair, tuple(signals), tuple(reused))


def _confirmed_copy(fetch: Callable[[Hashable], bytes | None], key: Hashable, b, threshold: float) -> bool:
    data = fetch(key)
    if not data:
        return False
    try:
        return check_copy(prepare(data), b, threshold, exact_score=False).copy
    except ImageRejected:
        return False


def _signal_reasons(signals: list[Signal], fail_at: float) -> list[Reason]:
    totals: dict[str, float] = {}
    for s in signals:
        totals[s.code] = totals.get(s.code, 0.0) + s.weight
    return [Reason.of(code, round(w, 3)) for code, w in totals.items() if w >= fail_at]


def _earlier_matches(fp: Fingerprint, earlier: Earlier, radius: int) -> list[Hashable]:
    found: dict[Hashable, int] = {}
    if isinstance(earlier, HashIndex):
        for v in fp.phash_variants + (fp.phash,):
            for item_id, d in earlier.query(v, radius):
                found[item_id] = min(d, found.get(item_id, 99))
    else:
        for n, item in enumerate(earlier):
            item_id, other = item if isinstance(item, tuple) else (n, item)
            if other.sha256 == fp.sha256:
                found[item_id] = 0
                continue
            d = min(hamming(v, h) for v in fp.phash_variants + (fp.phash,) for h in other.index_hashes())
            if d <= radius:
                found[item_id] = d
    return sorted(found, key=lambda k: found[k])
