"""Shared preparation for the pair checks: a downscaled greyscale image and its SIFT features.

SIFT rather than ORB: the copy check must match screenshots and thumbnails at
2-5x scale change, and the angle check must match across day/night and exposure
brackets; ORB lost too many of those pairs in the benchmark runs.

SIFT runs on a half-size copy of the working image (DETECT_PIXELS): OpenCV's SIFT doubles its input
for the first octave, so on the 800 px working image it would detect at 1600x1200, where most of its
time goes. The keypoints found on the copy are described on the working image itself
(DESCRIBE_AT_WORK_SIZE), which keeps its finest detail in the descriptors; small video frames keep
DETECT_MIN_SIDE pixels across, and a copy that shows fewer than DETECT_MIN_FEATURES keypoints (plain or
blurry content) is detected at full size after all. Points and sizes are in working-image pixels either
way. About 0.6x the CPU time of a pair check from bytes; the thresholds were retuned on these features
(bench/RESULTS.md, photocheck speed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np
from PIL import Image

from .decode import LoadedImage, load_image
from .hashing import content_box, dihedral_phashes, hamming

WORK_SIZE = 800  # long side of the prepared image (residuals, structure)
DETECT_PIXELS: int | None = 400 * 300  # SIFT's input (half of an 800x600 working image); None: the working image
DETECT_MIN_SIDE = 300  # ... unless the copy's short side would get below this
MAX_FEATURES = 1500
OCTAVE_LAYERS = 3  # SIFT's scales per octave (OpenCV's default)
# With a reduced copy: describe its keypoints on the working image (the finest detail) rather than on the copy.
DESCRIBE_AT_WORK_SIZE = True
# With a reduced copy: fewer keypoints than this on it and SIFT runs on the working image after all.
DETECT_MIN_FEATURES: int | None = 300
# pHash distance (of 64 bits) under which a mirrored photo is worth aligning as a mirror copy:
# a mirror copy sits far below it even when edited, unrelated photos almost never reach it.
MIRROR_HASH_RADIUS = 22
_FLIP_LEFT_RIGHT = 4  # index in hashing.DIHEDRAL
HASH_SIDE = 256  # long side of the copy the mirror check hashes


@dataclass
class Features:
    points: np.ndarray  # (n, 2) float32, x/y in the prepared image
    sizes: np.ndarray  # (n,) float32, keypoint diameters in pixels
    descriptors: np.ndarray | None  # (n, 128) float32
    _matches: dict = field(default_factory=dict, repr=False, compare=False)


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

    def use_features(self, features: Features) -> None:
        """Features computed earlier for this very image (e.g. stored with the photo)."""
        self._features[False] = features

    @cached_property
    def content_phashes(self) -> tuple[int, ...]:
        """pHash of the photo inside any borders, in the 8 rotations/mirrors (hashing.DIHEDRAL order).
        Taken, as the fingerprint's, on a copy of at most HASH_SIDE pixels: a 32x32 hash needs no more,
        and the border search costs a sixth of what it does on the working image."""
        small = Image.fromarray(self.gray)
        small.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.BILINEAR)
        return dihedral_phashes(small.crop(content_box(np.asarray(small))))


def mirror_plausible(a: Prepared, b: Prepared) -> bool:
    """Could B be a left-right mirror of A? Decides whether mirrored features are worth computing."""
    plain, flipped = a.content_phashes[0], b.content_phashes[_FLIP_LEFT_RIGHT]
    d_flipped = hamming(plain, flipped)
    return d_flipped <= MIRROR_HASH_RADIUS and d_flipped < hamming(plain, b.content_phashes[0])


def prepare(data: bytes | LoadedImage, *, work_size: int = WORK_SIZE, **load_kwargs) -> Prepared:
    loaded = data if isinstance(data, LoadedImage) else load_image(
        data, draft_size=(work_size, work_size), mode="L", **load_kwargs)
    im = loaded.image if loaded.image.mode == "L" else loaded.image.convert("L")
    if max(im.size) > work_size:
        im = im.copy()
        im.thumbnail((work_size, work_size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return Prepared(loaded, np.asarray(im, dtype=np.uint8))


def detector_settings() -> str:
    """What the keypoints and descriptors depend on, as text: stored features made under other settings
    are not comparable with fresh ones (featureblob refuses them)."""
    return (f"sift work={WORK_SIZE} pixels={DETECT_PIXELS} min_side={DETECT_MIN_SIDE} "
            f"describe_at_work={DESCRIBE_AT_WORK_SIZE} min_features={DETECT_MIN_FEATURES} "
            f"max={MAX_FEATURES} layers={OCTAVE_LAYERS}")


def detect_scale(h: int, w: int) -> float:
    if DETECT_PIXELS is None:
        return 1.0
    return min(1.0, max(math.sqrt(DETECT_PIXELS / (h * w)), DETECT_MIN_SIDE / min(h, w)))


SIFT_CONTRAST = 0.04  # OpenCV SIFT's default contrastThreshold


def equalized(gray: np.ndarray) -> np.ndarray:
    """What SIFT is run on: CLAHE evens out exposure so dark brackets and night shots still yield keypoints."""
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def detect(gray: np.ndarray, *, max_features: int | None = None, contrast: float = SIFT_CONTRAST) -> Features:
    return _detect_equalized(equalized(gray), max_features=max_features, contrast=contrast)


def _detect_equalized(eq: np.ndarray, *, max_features: int | None = None, contrast: float = SIFT_CONTRAST
                      ) -> Features:
    h, w = eq.shape
    scale = detect_scale(h, w)
    sift = cv2.SIFT_create(nfeatures=max_features or MAX_FEATURES, nOctaveLayers=OCTAVE_LAYERS,
                           contrastThreshold=contrast)
    if scale != 1.0:
        reduced = _detect_reduced(sift, eq, scale)
        if reduced is not None:
            return reduced
    kps, desc = sift.detectAndCompute(eq, None)
    return _features(kps, desc)


# Grey-level spread (std, after CLAHE) of a photo with ordinary contrast: a fainter one (a night shot, haze)
# gets a SIFT contrast threshold lowered in proportion, down to FAINT_FLOOR of the default.
FAINT_REFERENCE_STD, FAINT_FLOOR = 60.0, 0.2


def faint_contrast(gray: np.ndarray) -> float:
    """SIFT's contrast threshold scaled to the photo's own contrast: SIFT_CONTRAST for an ordinary photo, less
    for a faint one, so that a night shot keeps keypoints on its dim facades, not only on the lamps."""
    return _contrast_for(equalized(gray))


def _contrast_for(eq: np.ndarray) -> float:
    spread = float(eq.std())  # as detect sees it
    return SIFT_CONTRAST * min(1.0, max(FAINT_FLOOR, spread / FAINT_REFERENCE_STD))


def faint_features(gray: np.ndarray) -> Features | None:
    """Features found at faint_contrast's threshold; None for a photo of ordinary contrast, whose features
    they would be again. Equalizes once for both steps."""
    eq = equalized(gray)
    contrast = _contrast_for(eq)
    return None if contrast >= SIFT_CONTRAST else _detect_equalized(eq, contrast=contrast)


def reduced(eq: np.ndarray, scale: float) -> np.ndarray:
    """The copy SIFT detects on: `eq` reduced by `scale` (detect_scale)."""
    h, w = eq.shape
    return cv2.resize(eq, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def _detect_reduced(sift: cv2.SIFT, eq: np.ndarray, scale: float) -> Features | None:
    """SIFT on a copy reduced by `scale`; None when the copy shows too few keypoints (DETECT_MIN_FEATURES):
    plain or blurry content then keeps the working image's finer ones."""
    h, w = eq.shape
    small = reduced(eq, scale)
    sx, sy = small.shape[1] / w, small.shape[0] / h
    if DESCRIBE_AT_WORK_SIZE:
        kps = sift.detect(small, None)
        if DETECT_MIN_FEATURES is not None and len(kps) < DETECT_MIN_FEATURES:
            return None
        kps, desc = sift.compute(eq, _in_working_image(kps, sx, sy))
        return _features(kps, desc)
    kps, desc = sift.detectAndCompute(small, None)
    if DETECT_MIN_FEATURES is not None and len(kps) < DETECT_MIN_FEATURES:
        return None
    return _features(kps, desc, (sx, sy))


def _features(kps, desc: np.ndarray | None, scale: tuple[float, float] = (1.0, 1.0)) -> Features:
    pts = cv2.KeyPoint_convert(kps).reshape(-1, 2) if kps else np.empty((0, 2), np.float32)
    sizes = np.float32([k.size for k in kps])
    if scale != (1.0, 1.0):
        sx, sy = scale
        # Pixel centres: x_small + 0.5 = (x + 0.5) * sx.
        pts = ((pts + 0.5) / np.float32([sx, sy]) - 0.5).astype(np.float32)
        sizes = sizes / np.float32((sx + sy) / 2)
    return Features(pts, sizes, desc)


_SIFT_SIGMA = 1.6  # OpenCV's default base blur; a keypoint's size is 2 * sigma * 2**(octave + layer / layers)


def _in_working_image(kps: list[cv2.KeyPoint], sx: float, sy: float) -> list[cv2.KeyPoint]:
    """Keypoints found on the reduced copy, as if found on the working image: positions and sizes scaled,
    and each one's pyramid octave and layer recomputed from its size, since SIFT's compute() takes the
    descriptor from that level. Octave 0 at the least, so compute() never builds the doubled first octave."""
    if not kps:
        return []
    pts = (cv2.KeyPoint_convert(kps).astype(np.float64) + 0.5) / (sx, sy) - 0.5
    sizes = np.array([k.size for k in kps], np.float64) / ((sx + sy) / 2)
    level = np.rint(np.log2(sizes / (2 * _SIFT_SIGMA)) * OCTAVE_LAYERS).astype(np.int64)
    octave = np.maximum(0, (level - 1) // OCTAVE_LAYERS)
    layer = np.clip(level - octave * OCTAVE_LAYERS, 1, OCTAVE_LAYERS)
    packed = (octave | (layer << 8)).tolist()
    return [cv2.KeyPoint(x, y, size, k.angle, k.response, o)
            for (x, y), size, k, o in zip(pts.tolist(), sizes.tolist(), kps, packed)]


def match(a: Features, b: Features, ratio: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Lowe-ratio matches; returns matched point arrays (pa, pb). Remembered per pair of
    feature sets, since both checks match the same two photos."""
    cached = _remembered(a, b, ratio)
    return cached if cached is not None else _remember(a, b, ratio, _match(a, b, ratio))


def _remembered(a: Features, b: Features, ratio: float) -> tuple[np.ndarray, np.ndarray] | None:
    cached = a._matches.get(id(b))
    return cached[2] if cached is not None and cached[0] is b and cached[1] == ratio else None


def _remember(a: Features, b: Features, ratio: float,
              result: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    a._matches[id(b)] = (b, ratio, result)
    return result


def _match(a: Features, b: Features, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    if a.descriptors is None or b.descriptors is None or len(a.points) < 2 or len(b.points) < 2:
        return np.empty((0, 2), np.float32), np.empty((0, 2), np.float32)
    query, train = ratio_matches(a.descriptors, b.descriptors, ratio)
    return a.points[query].reshape(-1, 2), b.points[train].reshape(-1, 2)


def ratio_matches(da: np.ndarray, db: np.ndarray, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices (into da, into db) of Lowe-ratio matches: the nearest of db is closer than `ratio` times the
    second nearest. The same matches as cv2.BFMatcher(NORM_L2).knnMatch(k=2) with the ratio test, at a
    third of its time: distances come from one matrix product. SIFT descriptors are whole numbers whose
    squared norms stay far below 2**24, so every term is exact in float32 and so are the distances."""
    return _lowe_ratio(_partial_distances(da, db), np.einsum("ij,ij->i", da, da), ratio)


def match_with_near(a: Features, b: Features, pb: np.ndarray, radius: float, ratio: float = 0.8
                    ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """match(a, b), and the Lowe-ratio matches where each feature of A may only match B's features within
    `radius` of its place (pb: B's points in A's frame), both from one distance matrix. Returns
    ((pa, pb) as match gives them, (pa, pb) near each other, pb from `pb`). A feature with a single
    candidate near it has no second nearest and matches."""
    empty = np.empty((0, 2), np.float32), np.empty((0, 2), np.float32)
    if a.descriptors is None or b.descriptors is None or len(a.points) < 2 or len(b.points) < 2:
        return empty, empty
    d2, sq_a = _partial_distances(a.descriptors, b.descriptors), np.einsum("ij,ij->i", a.descriptors, a.descriptors)
    query, train = _near_ratio_matches(d2, sq_a, a.points, pb, radius, ratio)
    near = a.points[query].reshape(-1, 2), pb[train].reshape(-1, 2)
    cached = _remembered(a, b, ratio)
    if cached is not None:
        return cached, near
    query, train = _lowe_ratio(d2, sq_a, ratio)
    return _remember(a, b, ratio, (a.points[query].reshape(-1, 2), b.points[train].reshape(-1, 2))), near


def _near_ratio_matches(d2: np.ndarray, sq_a: np.ndarray, pa: np.ndarray, pb: np.ndarray, radius: float,
                        ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """_lowe_ratio on `d2` (not changed) with the pairs farther apart than `radius` left out. Looks only at
    the pairs of neighbouring grid cells (radius wide): a fifth of the matrix, and the same matches, in the
    same order, as masking all of it."""
    # A cell a little wider than the radius: points two cells apart are then farther than the radius even
    # after float32 rounding, so the 3x3 cells around a point hold all its candidates.
    cell = radius * 1.001
    cells_b = np.floor(pb / cell).astype(np.int64)
    order = np.lexsort((np.arange(len(pb)), cells_b[:, 1], cells_b[:, 0]))
    keys, starts = np.unique(cells_b[order], axis=0, return_index=True)
    in_cell = dict(zip(map(tuple, keys.tolist()), np.split(order, starts[1:])))
    a_keys, a_cell = np.unique(np.floor(pa / cell).astype(np.int64), axis=0, return_inverse=True)
    a_cell = a_cell.reshape(-1)
    queries, trains = [], []
    for n, (cx, cy) in enumerate(a_keys.tolist()):
        near = [in_cell[k] for k in ((cx + i, cy + j) for i in (-1, 0, 1) for j in (-1, 0, 1)) if k in in_cell]
        if not near:
            continue
        # Columns in ascending order: argmin then breaks ties as on the whole matrix.
        ia, ib = np.flatnonzero(a_cell == n), np.sort(np.concatenate(near))
        block = d2[np.ix_(ia, ib)]
        dx, dy = pa[ia, None, 0] - pb[None, ib, 0], pa[ia, None, 1] - pb[None, ib, 1]
        block[dx * dx + dy * dy > radius * radius] = np.inf
        query, nearest = _lowe_ratio(block, sq_a[ia], ratio)
        queries.append(ia[query])
        trains.append(ib[nearest])
    if not queries:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    query, train = np.concatenate(queries), np.concatenate(trains)
    by_a = np.argsort(query, kind="stable")
    return query[by_a], train[by_a]


def _partial_distances(da: np.ndarray, db: np.ndarray) -> np.ndarray:
    """|b|^2 - 2 a.b for every pair: the squared distance less the row's |a|^2, which does not change
    which column is nearest. cv2.gemm rather than numpy's matmul: it keeps to OpenCV's thread setting,
    where OpenBLAS threads would spin on the other cores."""
    d2 = cv2.gemm(da, db, -2.0, None, 0.0, flags=cv2.GEMM_2_T)
    d2 += np.einsum("ij,ij->i", db, db)[None, :]
    return d2


def _lowe_ratio(d2: np.ndarray, sq_a: np.ndarray, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `d2` (partial squared distances, np.inf where a pair may not match; changed in place) whose
    nearest column passes the ratio test, and that column."""
    rows = np.arange(len(d2))
    nearest = d2.argmin(axis=1)
    first = d2[rows, nearest] + sq_a
    d2[rows, nearest] = np.inf
    second = d2.min(axis=1) + sq_a
    # As OpenCV does: float32 distances, compared in double precision.
    dist1 = np.sqrt(np.maximum(first, 0)).astype(np.float64)
    dist2 = np.sqrt(np.maximum(second, 0)).astype(np.float64)
    query = np.flatnonzero(dist1 < ratio * dist2)
    return query, nearest[query]
