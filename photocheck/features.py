"""Shared preparation for the pair checks: a downscaled greyscale image and its SIFT features.

SIFT rather than ORB: the copy check must match screenshots and thumbnails at
2-5x scale change, and the angle check must match across day/night and exposure
brackets; ORB lost too many of those pairs in the benchmark runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from .decode import LoadedImage, load_image

WORK_SIZE = 800  # long side used for feature matching
MAX_FEATURES = 1500


@dataclass
class Features:
    points: np.ndarray  # (n, 2) float32, x/y in the prepared image
    sizes: np.ndarray  # (n,) float32, keypoint diameters in pixels
    descriptors: np.ndarray | None  # (n, 128) float32


@dataclass
class Prepared:
    """One photo ready for pair checks. `loaded` keeps EXIF and the full size."""

    loaded: LoadedImage
    gray: np.ndarray  # uint8, long side <= WORK_SIZE, EXIF orientation applied
    _features: dict[bool, Features] = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return self.gray.shape[0], self.gray.shape[1]

    def features(self, mirrored: bool = False) -> Features:
        if mirrored not in self._features:
            img = self.gray[:, ::-1] if mirrored else self.gray
            self._features[mirrored] = detect(np.ascontiguousarray(img))
        return self._features[mirrored]


def prepare(data: bytes | LoadedImage, *, work_size: int = WORK_SIZE, **load_kwargs) -> Prepared:
    loaded = data if isinstance(data, LoadedImage) else load_image(
        data, draft_size=(work_size, work_size), mode="L", **load_kwargs)
    im = loaded.image if loaded.image.mode == "L" else loaded.image.convert("L")
    if max(im.size) > work_size:
        im = im.copy()
        im.thumbnail((work_size, work_size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return Prepared(loaded, np.asarray(im, dtype=np.uint8))


def detect(gray: np.ndarray) -> Features:
    # CLAHE evens out exposure so dark brackets and night shots still yield keypoints.
    eq = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)
    sift = cv2.SIFT_create(nfeatures=MAX_FEATURES)
    kps, desc = sift.detectAndCompute(eq, None)
    pts = np.float32([k.pt for k in kps]).reshape(-1, 2)
    return Features(pts, np.float32([k.size for k in kps]), desc)


def match(a: Features, b: Features, ratio: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Lowe-ratio matches; returns matched point arrays (pa, pb)."""
    if a.descriptors is None or b.descriptors is None or len(a.points) < 2 or len(b.points) < 2:
        return np.empty((0, 2), np.float32), np.empty((0, 2), np.float32)
    knn = cv2.BFMatcher(cv2.NORM_L2).knnMatch(a.descriptors, b.descriptors, k=2)
    good = [m for m, n in (p for p in knn if len(p) == 2) if m.distance < ratio * n.distance]
    pa = np.float32([a.points[m.queryIdx] for m in good]).reshape(-1, 2)
    pb = np.float32([b.points[m.trainIdx] for m in good]).reshape(-1, 2)
    return pa, pb
