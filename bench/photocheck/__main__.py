"""python -m bench.photocheck [--quick] : score the photo pairs, choose thresholds on the tuning
split, report on the test split, time fingerprinting and index lookup, write bench/RESULTS.md."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from tqdm import tqdm

from photocheck.thresholds import Thresholds

from .analyse import (by_split, choose_angle_threshold, choose_copy_threshold, choose_hash_radius,
                      copy_categories, misses, per_group, per_kind, per_scene, summary)
from .data import (REPO, csv_pairs, distinct_negatives, extra_pairs, extra_photos_dir, night_pairs, photos_dir,
                   synthetic_pairs)
from .evaluate import score_pairs
from .report import write_section
from .timing import fingerprint_timing, index_timing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.photocheck")
    ap.add_argument("--quick", action="store_true", help="fewer synthetic pairs and repeats (smoke run)")
    ap.add_argument("--no-write", action="store_true", help="do not touch bench/RESULTS.md")
    ap.add_argument("--from-cache", action="store_true",
                    help="reuse the pair scores of the last run (bench/.cache) and redo analysis and timing")
    ap.add_argument("--rescore", metavar="TASK_OR_KIND",
                    help="score again only the pairs of this task (same_angle, reuse) or whose kind starts with "
                         "this (e.g. synthetic:square; several comma-separated), reusing the cached scores of all "
                         "others")
    ap.add_argument("--per-image", type=int, default=7, help="drawn synthetic copies per distinct photo")
    ap.add_argument("--cross", type=int, default=1100, help="cross-group negative pairs per split")
    args = ap.parse_args(argv)
    root = photos_dir()
    if not (root / "pairs.csv").is_file():
        print(f"photos not found at {root} (set CHENGGUAN_PHOTOS_DIR)", file=sys.stderr)
        return 2
    t_start = time.time()
    pairs = csv_pairs(root) + extra_pairs()
    pairs += night_pairs(pairs)
    reuse_extra = (synthetic_pairs(root, per_image=3 if args.quick else args.per_image)
                   + distinct_negatives(root, cross_per_split=args.cross))
    if args.quick:
        reuse_extra = reuse_extra[::4]
    all_pairs = [p for p in pairs + reuse_extra if p.split in ("tune", "test")]
    cache = REPO / "bench" / ".cache" / "photocheck_scores.json"
    if args.from_cache:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        recs, scoring_s = cached["recs"], cached["scoring_s"]
    else:
        kept: list[dict] = []
        if args.rescore:
            def chosen(task: str, kind: str) -> bool:
                return any(task == x or kind.startswith(x) for x in args.rescore.split(","))

            kept = [r for r in json.loads(cache.read_text(encoding="utf-8"))["recs"] if not chosen(r["task"], r["kind"])]
            all_pairs = [p for p in all_pairs if chosen(p.task, p.kind)]
        partial = cache.with_name("photocheck_scores.partial.json")
        partial.parent.mkdir(parents=True, exist_ok=True)

        def checkpoint(done: list[dict]) -> None:
            partial.write_text(json.dumps({"scoring_s": time.time() - t_start, "recs": kept + done}), encoding="utf-8")

        with tqdm(total=len(all_pairs), desc="pairs", file=sys.stderr) as bar:
            recs = kept + score_pairs(all_pairs, root, progress=bar, checkpoint=checkpoint)
        scoring_s = time.time() - t_start
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"scoring_s": scoring_s, "recs": recs}), encoding="utf-8")
    angle = [r for r in recs if r["task"] == "same_angle"]
    copy = [r for r in recs if r["task"] == "reuse"]
    th_angle = choose_angle_threshold(by_split(angle, "tune"))
    th_copy = choose_copy_threshold(by_split(copy, "tune"))
    radius = choose_hash_radius(by_split(copy, "tune"))
    results = {
        "thresholds": {"same_angle": th_angle, "copy": th_copy, "reuse_hash_radius": radius},
        "same_angle": {s: summary(by_split(angle, s), th_angle) for s in ("tune", "test")},
        "same_angle_groups_test": per_group(by_split(angle, "test"), th_angle),
        "same_angle_kinds_test": per_kind(by_split(angle, "test"), th_angle),
        "same_angle_scenes": {s: per_scene(by_split(angle, s), th_angle) for s in ("tune", "test")},
        # What the library ships may differ from this run's tuning choice (a choice resting on one tuning
        # pair is not taken over blindly): the figures at the shipped value.
        "same_angle_shipped": {"threshold": Thresholds().same_angle,
                               **{s: summary(by_split(angle, s), Thresholds().same_angle) for s in ("tune", "test")}},
        "extra_dir": str(extra_photos_dir()),
        "copy": {s: summary(by_split(copy, s), th_copy, fprs=(0.001, 0.01, 0.05)) for s in ("tune", "test")},
        "copy_categories_test": {k: summary(v, th_copy, fprs=(0.001, 0.01))
                                 for k, v in copy_categories(by_split(copy, "test")).items()},
        "copy_csv_only_test": summary([r for r in by_split(copy, "test") if r["kind"] == "csv"], th_copy),
        "hash_test": summary(by_split(copy, "test"), -radius - 0.5, fprs=(0.001,), key="neg_hash"),
        "misses_test": {"same_angle": misses(by_split(angle, "test"), th_angle),
                        "copy": misses(by_split(copy, "test"), th_copy)},
    }
    tune_neg = sorted((r for r in by_split(copy, "tune") if r["label"] == 0), key=lambda r: -r["score"])
    results["copy_top_negatives_tune"] = [f"{r['score']:.3f} {r['a']} vs {r['b']}" for r in tune_neg[:5]]
    results["scoring_s"] = scoring_s
    results["from_cache"] = args.from_cache
    results["rescored"] = args.rescore
    results["sizes"] = {"per_image": args.per_image, "cross": args.cross}
    results["load_before_timing"] = os.getloadavg()
    sample = root / "images" / "opensfm_berlin" / "01.jpg"
    results["fingerprint"] = fingerprint_timing(sample, repeats=7 if args.quick else 21)
    results["index"] = index_timing(queries=50 if args.quick else 200, radius=max(radius, 1))
    results["index_r10"] = index_timing(queries=50 if args.quick else 200, radius=10)
    results["wall_s"] = time.time() - t_start
    print(json.dumps(results, indent=1, default=str))
    if not args.no_write:
        write_section(REPO / "bench" / "RESULTS.md", results, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
