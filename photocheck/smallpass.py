"""A second look for small pictures (a thumbnail, a figure's crop, a video still: long side at most SMALL_SIDE
pixels) when the angle check's first result is weak.

At 150-220 px a re-visit of one spot keeps a few hundred SIFT keypoints, most on a few strong edges, and the
guided fit rests on 8-12 inliers, often a wrong one. SIFT on the picture enlarged ENLARGE times, with more scales
per octave and lower contrast and edge limits, finds more keypoints on the fine detail that is there (window
frames, kerbs, signs), and the fit more inliers. Chosen on the tuning split (bench/RESULTS.md, round 7) among a 2x
or 3x enlargement, 5 scales per octave and lower limits, alone and together.
"""

from __future__ import annotations

import cv2
import numpy as np

from .features import MAX_FEATURES, Features, _features, equalized

SMALL_SIDE = 320  # a picture whose long side is at most this is small (both photos' pictures must be)
SMALL_PASS_BELOW = 0.35  # the second look runs only below this first score (as the faint pass)
ENLARGE = 2.0
OCTAVE_LAYERS = 5
CONTRAST = 0.02  # SIFT's default is 0.04
EDGE = 20.0  # SIFT's default is 10: keeps corners of thin structures (poles, window bars) a small picture has


def small_pictures(shape_a: tuple[int, int], shape_b: tuple[int, int]) -> bool:
    return max(*shape_a, *shape_b) <= SMALL_SIDE


def enlarged(gray: np.ndarray) -> np.ndarray:
    """`gray` enlarged ENLARGE times (bicubic): what the small pass and the learned look detect on."""
    h, w = gray.shape
    return cv2.resize(gray, (round(w * ENLARGE), round(h * ENLARGE)), interpolation=cv2.INTER_CUBIC)


def enlarged_features(gray: np.ndarray) -> Features:
    """SIFT on `gray` enlarged ENLARGE times (equalized, as features.detect), points and sizes in `gray`'s pixels."""
    eq = equalized(enlarged(gray))
    sift = cv2.SIFT_create(nfeatures=MAX_FEATURES, nOctaveLayers=OCTAVE_LAYERS, contrastThreshold=CONTRAST,
                           edgeThreshold=EDGE)
    kps, desc = sift.detectAndCompute(eq, None)
    return _features(kps, desc, (ENLARGE, ENLARGE))
