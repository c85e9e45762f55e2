"""ROC AUC, TPR at a fixed FPR, and threshold choice on the tuning part."""

from __future__ import annotations

import numpy as np


def roc_auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Probability a random positive outscores a random negative (ties count half)."""
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    pos, neg = np.asarray(pos, float), np.sort(np.asarray(neg, float))
    lower = np.searchsorted(neg, pos, "left")
    upper = np.searchsorted(neg, pos, "right")
    return float((lower + 0.5 * (upper - lower)).sum() / (len(pos) * len(neg)))


def threshold_at_fpr(neg: np.ndarray, fpr: float) -> float:
    """Smallest threshold t (score >= t is positive) with at most floor(fpr * n) negatives at or above t."""
    neg = np.sort(np.asarray(neg, float))[::-1]
    allowed = int(np.floor(fpr * len(neg)))
    if allowed >= len(neg):
        return -np.inf
    return float(np.nextafter(neg[allowed], np.inf))


def tpr_at_fpr(pos: np.ndarray, neg: np.ndarray, fpr: float) -> float:
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    t = threshold_at_fpr(neg, fpr)
    return float((np.asarray(pos) >= t).mean())


def rates(pos: np.ndarray, neg: np.ndarray, threshold: float) -> tuple[float, float]:
    """(TPR, FPR) at a given threshold."""
    tpr = float((np.asarray(pos) >= threshold).mean()) if len(pos) else float("nan")
    fpr = float((np.asarray(neg) >= threshold).mean()) if len(neg) else float("nan")
    return tpr, fpr


def choose_threshold(pos: np.ndarray, neg: np.ndarray, max_fpr: float) -> float:
    """On the tuning part: the highest-TPR threshold within max_fpr, placed midway between the
    highest negative it must exceed and the next positive score above it (margin both ways)."""
    t = threshold_at_fpr(neg, max_fpr)
    neg_sorted = np.sort(np.asarray(neg, float))
    below = neg_sorted[neg_sorted < t]
    floor = below[-1] if below.size else t
    above = np.sort(np.asarray(pos, float)[np.asarray(pos, float) >= t])
    if above.size == 0:
        return float(t)
    return float((floor + above[0]) / 2)
