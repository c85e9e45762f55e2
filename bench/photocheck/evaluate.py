"""Score every benchmark pair with the library, in a small process pool."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

from photocheck.angle import check_angle
from photocheck.copy import check_copy
from photocheck.features import Prepared, prepare
from photocheck.fingerprint import Fingerprint, fingerprint
from photocheck.hashing import hamming

from .data import Pair, load_bytes

_root: Path | None = None
_prepared: dict[str, Prepared] = {}
_prints: dict[str, Fingerprint] = {}


def _init(root: str) -> None:
    global _root
    _root = Path(root)


def _get(key: str) -> tuple[Prepared, Fingerprint]:
    if key in _prepared:
        return _prepared[key], _prints[key]
    data = load_bytes(_root, key)
    p, f = prepare(data), fingerprint(data)
    if "#" not in key:  # real photos recur across pairs; synthetic copies do not
        _prepared[key], _prints[key] = p, f
    return p, f


def hash_distance(fa: Fingerprint, fb: Fingerprint) -> int:
    """Smallest pHash distance over B's rotations/mirrors against A's whole and content hashes."""
    return min(hamming(v, h) for v in fb.phash_variants for h in (fa.phash, fa.phash_content))


def _score(pair: Pair) -> dict:
    pa, fa = _get(pair.a)
    pb, fb = _get(pair.b)
    rec = asdict(pair)
    if pair.task == "same_angle":
        r = check_angle(pa, pb, 0.5)
        # The components, so a miss says which one decided (feature fit or edge structure, light).
        rec.update(score=r.same_angle_score, inliers=r.inliers, blocks=r.block_agreement,
                   shift=r.viewpoint.shift if r.viewpoint else None, light=(r.brightness_a, r.brightness_b))
    else:
        r = check_copy(pa, pb, 0.5)
        d = hash_distance(fa, fb)
        rec.update(score=r.copy_score, inliers=r.inliers, hash_distance=d, neg_hash=-d)
    return rec


def score_pairs(pairs: list[Pair], root: Path, workers: int | None = None, progress=None,
                checkpoint: Callable[[list[dict]], None] | None = None, every: int = 200) -> list[dict]:
    """Scores in pair order; `checkpoint` gets the records so far every `every` pairs (a long run on a
    busy machine can then be analysed even when it is cut short)."""
    workers = workers or min(2, os.cpu_count() or 1)
    ordered = sorted(pairs, key=lambda p: (p.a, p.b))
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(str(root),)) as pool:
        results = pool.map(_score, ordered, chunksize=16)
        out = []
        for rec in results:
            out.append(rec)
            if progress:
                progress.update(1)
            if checkpoint and len(out) % every == 0:
                checkpoint(out)
    return out
