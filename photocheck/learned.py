"""A learned descriptor for the small-picture pass: TEBLID (Suárez et al. 2021, triplet-trained binary
descriptor), which ships compiled into opencv-contrib's cv2.xfeatures2d with its weights (no model file, no download).

At 150-220 px a re-visit years apart keeps a handful of right SIFT matches among many wrong ones (repeated
windows, tree crowns). TEBLID, described on the very keypoints SIFT found, matches some places SIFT's ratio test
drops; both descriptors' matches are pooled (one match per pair of keypoints) into one fit. Chosen on the tuning
split (bench/RESULTS.md, round 8); over VGG by cost (VGG a little higher on tune, AUC 0.880 against 0.875, the same
held-back passes, at 2 s a photo against TEBLID's 4 ms for 1500 keypoints); against a learned look on every weak
pair (more false passes on handheld walks held back), and against keeping only the matches both descriptors make.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .features import Features, _features, match_with_near
from .smallpass import ENLARGE, enlarged_sift, enlarged

# TEBLID's sampling window for SIFT keypoints (OpenCV's documented scale factor for SIFT).
SIFT_SCALE_FACTOR = 6.75
# Lowe's ratio for TEBLID, on the root of the Hamming distance (its bits are compared as 0/1 floats, so the
# squared distance is the Hamming one): 0.9 here is about 0.81 on Hamming. Chosen on the tuning split (0.8 / 0.9).
LEARNED_RATIO = 0.9
SIFT_RATIO = 0.8  # as features.match


class LearnedDescriptorMissing(RuntimeError):
    """cv2 without opencv-contrib's xfeatures2d (opencv-python-headless instead of opencv-contrib-python-headless)."""


def teblid() -> cv2.Feature2D:
    xfeatures2d = getattr(cv2, "xfeatures2d", None)
    if xfeatures2d is None or not hasattr(xfeatures2d, "TEBLID_create"):
        raise LearnedDescriptorMissing(
            "photocheck needs cv2.xfeatures2d.TEBLID_create from opencv-contrib-python-headless; "
            "install it in place of opencv-python-headless (pip uninstall opencv-python-headless; "
            "pip install opencv-contrib-python-headless)")
    return xfeatures2d.TEBLID_create(SIFT_SCALE_FACTOR, xfeatures2d.TEBLID_SIZE_256_BITS)


@dataclass(frozen=True)
class TwinPicture:
    """A picture with two descriptors on the same keypoints (points and sizes in the picture's own pixels)."""
    gray: np.ndarray
    sift: Features
    learned: Features

    @property
    def shape(self) -> tuple[int, int]:
        return self.gray.shape[:2]


def twin_picture(gray: np.ndarray) -> TwinPicture:
    """SIFT keypoints of `gray` enlarged as the small pass finds them, described by TEBLID and by SIFT."""
    big = enlarged(gray)
    sift = enlarged_sift()
    keypoints = sift.detect(big, None)
    keypoints, bits = teblid().compute(big, keypoints)  # drops keypoints too near the border
    if bits is None or not keypoints:
        empty = _features([], None)
        return TwinPicture(gray, empty, empty)
    keypoints, sift_descriptors = sift.compute(big, keypoints)
    scale = (ENLARGE, ENLARGE)
    learned = np.unpackbits(bits, axis=1).astype(np.float32)
    return TwinPicture(gray, _features(keypoints, sift_descriptors, scale), _features(keypoints, learned, scale))


def pooled_matches(a: TwinPicture, b: TwinPicture, stretch: np.ndarray, radius: float
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """As angle.matches (plain and guided), each the union of SIFT's and TEBLID's matches, a pair of keypoints
    once."""
    found = [match_with_near(fa, fb, fb.points * stretch, radius, ratio=ratio)
             for fa, fb, ratio in ((a.sift, b.sift, SIFT_RATIO), (a.learned, b.learned, LEARNED_RATIO))]
    plain = _union([m[0] for m in found])
    near = _union([m[1] for m in found])
    return plain, near


def _union(matches: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    pa = np.concatenate([m[0] for m in matches])
    pb = np.concatenate([m[1] for m in matches])
    if len(pa) == 0:
        return pa, pb
    # Both descriptors sit on one set of keypoints: a match both make has the same coordinates twice.
    _, first = np.unique(np.round(np.hstack([pa, pb]) * 2), axis=0, return_index=True)
    keep = np.sort(first)
    return pa[keep], pb[keep]
