"""Turn scored pairs into figures: AUC, TPR at fixed FPR, chosen thresholds, per-group counts."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .data import ASPECT_SHARPEN, GEOMETRIC, REENCODE, group_of, scene_kind
from .metrics import choose_threshold, rates, roc_auc, tpr_at_fpr


def _scores(recs: list[dict], label: int, key: str = "score") -> np.ndarray:
    return np.array([r[key] for r in recs if r["label"] == label], float)


def summary(recs: list[dict], threshold: float, fprs=(0.01, 0.05), key: str = "score") -> dict:
    pos, neg = _scores(recs, 1, key), _scores(recs, 0, key)
    tpr, fpr = rates(pos, neg, threshold)
    correct = (pos >= threshold).sum() + (neg < threshold).sum()
    out = {"n_pos": len(pos), "n_neg": len(neg), "auc": roc_auc(pos, neg),
           "tpr_at_threshold": tpr, "fpr_at_threshold": fpr,
           "accuracy": float(correct / max(1, len(pos) + len(neg)))}
    for f in fprs:
        out[f"tpr@{f:g}"] = tpr_at_fpr(pos, neg, f)
    return out


def by_split(recs: list[dict], split: str) -> list[dict]:
    return [r for r in recs if r["split"] == split]


def choose_angle_threshold(tune: list[dict]) -> float:
    return choose_threshold(_scores(tune, 1), _scores(tune, 0), 0.05)


# Issue #15 sets the copy target at 1 % FPR (was 0.1 %): with the soft combination the pairs that share pixels
# for real (an iPhone HDR frame and its non-HDR twin, palette-GIF frames) score like copies, and a 0.1 % point
# on the tuning negatives sits above them and misses most sharpened and squeezed copies.
COPY_MAX_FPR = 0.01


def choose_copy_threshold(tune: list[dict]) -> float:
    return choose_threshold(_scores(tune, 1), _scores(tune, 0), COPY_MAX_FPR)


def choose_hash_radius(tune: list[dict]) -> int:
    """Largest pHash radius whose false-positive rate on tuning negatives stays <= 0.1 %."""
    neg = _scores(tune, 0, "hash_distance")
    best = 0
    for r in range(0, 33):
        if (neg <= r).mean() <= 0.001:
            best = r
    return best


def copy_categories(recs: list[dict]) -> dict[str, list[dict]]:
    """Positives of one category with all negatives, for TPR at 0.1 % FPR per category."""
    neg = [r for r in recs if r["label"] == 0]
    cats = {
        "re-encode/resize/brightness (synthetic)": lambda k: k.split(":")[-1] in REENCODE,
        "crops/rotation/screenshots (synthetic)": lambda k: k.split(":")[-1] in GEOMETRIC,
        "aspect-changing resize/strong sharpening (synthetic)": lambda k: k.split(":")[-1] in ASPECT_SHARPEN,
        "pairs.csv copies (real edits)": lambda k: k == "csv",
    }
    return {name: [r for r in recs if r["label"] == 1 and test(r["kind"])] + neg
            for name, test in cats.items()}


def per_group(recs: list[dict], threshold: float, min_each: int = 3) -> dict[str, dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in recs:
        groups[group_of(r["a"])].append(r)
    out = {}
    for g, rs in sorted(groups.items()):
        pos, neg = _scores(rs, 1), _scores(rs, 0)
        tpr, fpr = rates(pos, neg, threshold)
        row = {"n_pos": len(pos), "n_neg": len(neg), "tpr_at_threshold": tpr, "fpr_at_threshold": fpr}
        if len(pos) >= min_each and len(neg) >= min_each:
            row["auc"] = roc_auc(pos, neg)
        out[g] = row
    return out


def per_kind(recs: list[dict], threshold: float, key=lambda r: r["kind"]) -> dict[str, dict]:
    """Same-angle pairs by kind (real shared rows, extra public rows, and each with B at night)."""
    kinds: dict[str, list[dict]] = defaultdict(list)
    for r in recs:
        kinds[key(r)].append(r)
    return {k: summary(rs, threshold) for k, rs in sorted(kinds.items())}


def per_scene(recs: list[dict], threshold: float) -> dict[str, dict]:
    """Same-angle pairs by kind of scene: fixed camera, handheld walk, real day/night, re-visit years apart..."""
    return per_kind(recs, threshold, key=lambda r: scene_kind(r["kind"], r["a"]))


def misses(recs: list[dict], threshold: float, limit: int = 12) -> list[str]:
    wrong = [r for r in recs if (r["score"] >= threshold) != bool(r["label"])]
    wrong.sort(key=lambda r: -abs(r["score"] - threshold))
    return [f"{'FN' if r['label'] else 'FP'} {r['score']:.3f} {r['a']} vs {r['b']} ({r['kind']}{_components(r)})"
            for r in wrong[:limit]]


def _components(r: dict) -> str:
    """What decided a same-angle score: RANSAC inliers and the fit's shift, block share of agreeing edges,
    mean grey of A and B."""
    if "blocks" not in r:
        return ""
    shift = "none" if r.get("shift") is None else f"{r['shift']:.2f}"
    light = "/".join(f"{x:.0f}" for x in r["light"])
    return f"; {r['inliers']} inliers, shift {shift}, blocks {r['blocks']:.2f}, grey {light}"
