"""Timings: fingerprint of a 12 MP JPEG (draft mode vs plain imagehash) and hash lookup (index vs scan)."""

from __future__ import annotations

import io
import os
import statistics
import time
from pathlib import Path
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable

import cv2
import imagehash
import numpy as np
from PIL import Image

from photocheck.decode import load_image
from photocheck.features import (MAX_FEATURES, OCTAVE_LAYERS, _in_working_image, detect_scale, equalized, prepare,
                                 reduced)
from photocheck.fingerprint import HASH_DRAFT, fingerprint
from photocheck.index import HashIndex, linear_scan


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def photo_12mp(source: Path) -> bytes:
    """A 4000x3000 JPEG made from a real photo: upscaled, with mild sensor-like noise so the
    entropy-coded size (which dominates decode time) is like a phone's (~2.5 MB), quality 92."""
    im = Image.open(source).convert("RGB").resize((4000, 3000), Image.Resampling.LANCZOS)
    noise = np.random.default_rng(0).normal(0, 2.0, (3000, 4000, 1))
    arr = np.clip(np.asarray(im, np.float32) + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def plain_imagehash(data: bytes) -> tuple[object, object]:
    im = Image.open(io.BytesIO(data))
    im.load()
    return imagehash.phash(im), imagehash.dhash(im)


def fingerprint_timing(source: Path, repeats: int = 15) -> dict:
    """Medians with the process pinned to one CPU, as the target says: the fingerprint hashes the
    bytes (sha256) in a second thread, which would otherwise borrow the other core."""
    data = photo_12mp(source)
    with one_cpu() as pinned:
        ours = median_ms(lambda: fingerprint(data), repeats)
        decode = median_ms(lambda: load_image(data, draft_size=HASH_DRAFT, mode="L"), repeats)
        base = median_ms(lambda: plain_imagehash(data), max(5, repeats // 3))
    return {"bytes": len(data), "fingerprint_ms": ours, "draft_decode_ms": decode,
            "imagehash_full_ms": base, "speedup": base / ours, "one_cpu": pinned}


@contextmanager
def one_cpu() -> Iterator[bool]:
    """Run the block on one CPU where the OS allows it; yields whether it did."""
    if not hasattr(os, "sched_setaffinity"):
        yield False
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield True
    finally:
        os.sched_setaffinity(0, before)


def index_timing(n: int = 1_000_000, radius: int = 10, queries: int = 200, seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    index = HashIndex()
    t0 = time.perf_counter()
    index.add_many(enumerate(hashes.tolist()))
    index.query(0, radius)  # builds the sorted chunk tables
    build_s = time.perf_counter() - t0
    # Queries near stored hashes (a few flipped bits) and random ones.
    targets = []
    for i in range(queries):
        h = int(hashes[rng.integers(n)])
        for b in rng.choice(64, size=int(rng.integers(0, radius + 1)), replace=False):
            h ^= 1 << int(b)
        targets.append(h if i % 2 == 0 else int(rng.integers(0, 2**63)))
    idx_t, scan_t, mismatches = [], [], 0
    for q in targets:
        t0 = time.perf_counter()
        found = index.query(q, radius)
        idx_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        truth = linear_scan(hashes, q, radius)
        scan_t.append(time.perf_counter() - t0)
        mismatches += sorted(i for i, _ in found) != sorted(truth.tolist())
    idx_ms, scan_ms = statistics.median(idx_t) * 1000, statistics.median(scan_t) * 1000
    return {"n": n, "radius": radius, "queries": queries, "build_s": build_s, "index_ms": idx_ms,
            "scan_ms": scan_ms, "ratio": scan_ms / idx_ms, "mismatches": mismatches}


def sift_stage_costs(photos: list[bytes], repeats: int = 3) -> dict[str, float]:
    """Per photo, CPU ms (best of `repeats`, this thread, medians over the photos) of each SIFT stage of
    features.detect and of the alternatives to it (brief S7): detect on the half-size copy, describe on the
    working image, both on the copy in one call (one pyramid), SIFT on the working image (the full-size
    fallback), the copy at half the contrast threshold, and describing the 500 strongest or a single keypoint
    (the fixed cost of the pyramid compute() builds)."""
    def cpu_ms(fn: Callable[[], object]) -> float:
        best = float("inf")
        for _ in range(repeats):
            t0 = time.thread_time()
            fn()
            best = min(best, time.thread_time() - t0)
        return best * 1000

    rows: dict[str, list[float]] = {}
    for data in photos:
        gray = prepare(data).gray
        h, w = gray.shape
        scale = detect_scale(h, w)
        eq = equalized(gray)
        small = reduced(eq, scale)
        sift = cv2.SIFT_create(nfeatures=MAX_FEATURES, nOctaveLayers=OCTAVE_LAYERS)
        faint = cv2.SIFT_create(nfeatures=MAX_FEATURES, nOctaveLayers=OCTAVE_LAYERS, contrastThreshold=0.02)
        found = _in_working_image(sift.detect(small, None), small.shape[1] / w, small.shape[0] / h)
        strongest = sorted(found, key=lambda k: -k.response)[:500]
        costs = {
            "decode and resize": cpu_ms(lambda: prepare(data)),
            "CLAHE": cpu_ms(lambda: equalized(gray)),
            "detect on the half-size copy": cpu_ms(lambda: sift.detect(small, None)),
            "describe on the working image": cpu_ms(lambda: sift.compute(eq, found)),
            "detectAndCompute on the copy (one pyramid)": cpu_ms(lambda: sift.detectAndCompute(small, None)),
            "detectAndCompute on the working image (fallback)": cpu_ms(lambda: sift.detectAndCompute(eq, None)),
            "detect on the copy at contrast 0.02": cpu_ms(lambda: faint.detect(small, None)),
            "describe the 500 strongest": cpu_ms(lambda: sift.compute(eq, strongest)),
            "describe one keypoint": cpu_ms(lambda: sift.compute(eq, found[:1])),
            "keypoints on the copy": float(len(found)),
        }
        for name, value in costs.items():
            rows.setdefault(name, []).append(value)
    return {name: statistics.median(values) for name, values in rows.items()}
