"""Same-angle check: is B taken from about the same spot and heading as A, although the scene changed?

Two pieces of evidence, and the stronger one counts:
- local features matched with a RANSAC homography (on B rescaled to A's frame): many inliers and a
  homography close to identity mean the background sits where it was;
- block-wise agreement of edge orientation, after undoing a small camera shift when the
  homography found one; this survives exposure brackets, night/day and few keypoints.

Edge orientation also agrees between two *different* spots that share a layout (two streets seen
along the kerb: road below, facades at the sides, the same vanishing point), so it counts only as far
as feature matches back it: in good light from MIN_INLIERS to TRUSTED_INLIERS, in the dark or across a
large exposure gap (where features have a poorer chance) fully from DARK_TRUSTED_INLIERS.

Matches are looked for twice: over the whole image (any framing), and near the same place in both
photos (guided matching: a same-angle pair keeps every feature close to where it was, so a window or a
lamp need only be told from its neighbours, not from every alike window of the street). The fit with
more inliers counts. A guided fit counts as feature evidence only above its chance level: the fewest inliers
that chance matches inside the windows would not reach (an a-contrario count that grows with the matches).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from .features import Features, Prepared, faint_features, match_with_near
from .learned import mutual_matches, xfeat_features
from .margins import picture_box
from .smallpass import SMALL_PASS_BELOW, enlarged_features, small_pictures
from .structure import orientation_agreement


@dataclass(frozen=True)
class Viewpoint:
    shift: float  # mean corner displacement / image diagonal (0 = identical framing)
    scale: float  # zoom of B relative to A (1 = same)
    rotation_deg: float
    translation: float  # centre displacement / image diagonal
    # Where B's centre lands in A, signed, in fractions of A's width and height: > 0 means B was aimed
    # right of (below) A's centre. Drives the 站位偏左/偏右 hint.
    dx: float = 0.0
    dy: float = 0.0


@dataclass(frozen=True)
class AngleResult:
    same_angle: bool
    same_angle_score: float
    inliers: int
    matches: int
    viewpoint: Viewpoint | None
    block_agreement: float
    orientation_agreement: float
    brightness_a: float = 0.0  # mean grey level 0..255 (the 光线太暗 hint)
    brightness_b: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Picture:
    """A photo's picture inside its uniform frame (margins.picture_box), with the features that lie wholly
    inside it, in its own coordinates: what check_angle compares when a photo is framed."""
    gray: np.ndarray
    _features: Features

    @property
    def shape(self) -> tuple[int, int]:
        return self.gray.shape[:2]

    def features(self) -> Features:
        return self._features


def pictures(a: Prepared, b: Prepared) -> tuple[Prepared | _Picture, Prepared | _Picture]:
    """Both photos' pictures (see picture). Two framed photos of one size come from one export template: the
    picture is where either found it (the union of the boxes), since a margin can only seem to grow into a
    picture whose edge is as uniform as the frame (white sky on a white frame), never shrink."""
    box_a, box_b = picture_box(a.gray), picture_box(b.gray)
    full_a, full_b = (0, 0, a.shape[1], a.shape[0]), (0, 0, b.shape[1], b.shape[0])
    if a.shape == b.shape and box_a != full_a and box_b != full_b:
        box_a = box_b = (min(box_a[0], box_b[0]), min(box_a[1], box_b[1]), max(box_a[2], box_b[2]), max(box_a[3], box_b[3]))
    return picture(a, box_a), picture(b, box_b)


def picture(p: Prepared, box: tuple[int, int, int, int]) -> Prepared | _Picture:
    """The photo itself when `box` (its margins.picture_box) is all of it; else its picture. A feature whose
    support reaches into the margin describes the frame's edge or corner, not the scene, and is left out."""
    h, w = p.shape
    x0, y0, x1, y1 = box
    if (x0, y0, x1, y1) == (0, 0, w, h):
        return p
    f = p.features()
    r = f.sizes / 2.0
    x, y = f.points[:, 0], f.points[:, 1]
    inside = (x - r >= x0) & (x + r <= x1) & (y - r >= y0) & (y + r <= y1)
    kept = Features(f.points[inside] - np.float32([x0, y0]), f.sizes[inside],
                    f.descriptors[inside] if f.descriptors is not None else None)
    return _Picture(np.ascontiguousarray(p.gray[y0:y1, x0:x1]), kept)


def check_angle(a: Prepared, b: Prepared, threshold: float) -> AngleResult:
    """The angle check; when the light is poor and the result weak, once more on features found with SIFT's
    contrast threshold scaled to each photo's contrast (faint_pass); when both pictures are small and the
    result still weak, once more on SIFT features of the pictures enlarged (smallpass), and if still weak once
    more on learned features of them (learned: XFeat). The best result counts."""
    first = _check_angle(a, b, threshold)
    if faint_pass_due(first):
        first = _better(first, _faint_pass(a, b, threshold))
    if first.same_angle_score >= SMALL_PASS_BELOW:
        return first
    pa, pb = pictures(a, b)
    if not small_pictures(pa.shape, pb.shape):
        return first
    enlarged_a = _Picture(pa.gray, enlarged_features(pa.gray))
    enlarged_b = _Picture(pb.gray, enlarged_features(pb.gray))
    first = _better(first, _check_angle(enlarged_a, enlarged_b, threshold))
    if first.same_angle_score >= SMALL_PASS_BELOW:
        return first
    return _better(first, _learned_look(pa, pb, threshold))


def _learned_look(pa: Prepared | _Picture, pb: Prepared | _Picture, threshold: float) -> AngleResult:
    """The pictures compared on XFeat's features, matched as XFeat matches (learned.mutual_matches)."""
    learned_a = _Picture(pa.gray, xfeat_features(pa.gray))
    learned_b = _Picture(pb.gray, xfeat_features(pb.gray))
    return _compare(learned_a, learned_b, threshold, mutual_matches, iterations=LEARNED_RANSAC_ITERATIONS)


def _better(first: AngleResult, second: AngleResult | None) -> AngleResult:
    return second if second is not None and second.same_angle_score > first.same_angle_score else first


def _faint_pass(a: Prepared, b: Prepared, threshold: float) -> AngleResult | None:
    faint_a, faint_b = _with_faint_features(a), _with_faint_features(b)
    if faint_a is a and faint_b is b:
        return None  # both photos have ordinary contrast: the same features again
    return _check_angle(faint_a, faint_b, threshold)


# The second pass runs only below this score with poor light (angle_score's dark case): a night photo keeps few
# keypoints at SIFT's usual contrast threshold (a third to a half of its day twin's), most on the lamps, and the
# fit then rests on a handful of matches. Chosen on the tuning split (0.35 vs always; bench/RESULTS.md).
FAINT_PASS_BELOW = 0.35


def faint_pass_due(first: AngleResult) -> bool:
    """Light poor (a dark photo or a large exposure gap) and the first score weak."""
    return (not _features_fair(first.brightness_a, first.brightness_b)
            and first.same_angle_score < FAINT_PASS_BELOW)


def _with_faint_features(p: Prepared) -> Prepared:
    """`p` itself when its contrast is ordinary; else the same photo with features detected at a contrast
    threshold scaled to its own contrast."""
    features = faint_features(p.gray)
    if features is None:
        return p
    faint = Prepared(p.loaded, p.gray)
    faint.use_features(features)
    return faint


Matcher = Callable[[Features, Features, np.ndarray, float],
                   tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]]


# RANSAC iterations for either fit. When the spot differs few matches are inliers and OpenCV's RANSAC runs all
# its iterations, about 10 us each whatever the number of matches: 4000 cost 40 ms on such a pair, a quarter of
# a whole check. On SIFT's matches 1000 scored as well on the tuning split: for the guided fit against 4000 and
# USAC, for the plain one against 4000, 2000 and 500 (no verdict changed; bench/RESULTS.md, photocheck speed).
# The learned look's mutual matches on small pictures are many with a small inlier share: there 4000 scored
# better on the tuning split (AUC 0.9733 against 0.9722), and the look is off the common path.
RANSAC_ITERATIONS, LEARNED_RANSAC_ITERATIONS = 1000, 4000


def _check_angle(a: Prepared, b: Prepared, threshold: float) -> AngleResult:
    return _compare(*pictures(a, b), threshold)


def _compare(a: Prepared | _Picture, b: Prepared | _Picture, threshold: float,
             matcher: Matcher | None = None, iterations: int = RANSAC_ITERATIONS) -> AngleResult:
    """The angle check of two pictures (see pictures) on their features, matched by `matcher` (matches: SIFT's),
    each fit with `iterations` of RANSAC."""
    ha, wa = a.shape
    hb, wb = b.shape
    stretch = np.float32([wa / wb, ha / hb])  # assume the same framing: B stretched onto A
    radius = NEAR_RADIUS * math.hypot(wa, ha)
    (pa, pb), (near_a, near_b) = (matcher or matches)(a.features(), b.features(), stretch, radius)
    hmat, inliers = _homography(pa, pb * stretch, iterations)
    near_hmat, near_inliers = None, 0
    if guided_fit_can_win(len(near_a), inliers):
        near_hmat, near_inliers = _homography(near_a, near_b, iterations)
    guided = near_inliers > inliers
    if guided:
        hmat, inliers = near_hmat, near_inliers
    view = viewpoint(hmat, wa, ha) if hmat is not None else None
    b_on_a = cv2.resize(b.gray, (wa, ha), interpolation=cv2.INTER_AREA)
    blocks, overall = orientation_agreement(a.gray, b_on_a)
    if view is not None and 0.01 < view.shift < 0.25 and inliers >= TRUSTED_INLIERS:
        warped = cv2.warpPerspective(b_on_a, hmat, (wa, ha), borderMode=cv2.BORDER_REFLECT)
        blocks_w, overall_w = orientation_agreement(a.gray, warped)
        if blocks_w > blocks:
            blocks, overall = blocks_w, overall_w
    if not _similar_aspect(a.shape, b.shape):
        blocks = 0.0  # a stretched panorama or portrait-vs-landscape: block grids do not correspond
    light_b, light_a = float(b.gray.mean()), float(a.gray.mean())
    minimum = guided_chance_level(len(near_a), radius) if guided else MIN_INLIERS
    score = angle_score(inliers, view, blocks, features_fair=_features_fair(light_a, light_b), feature_minimum=minimum)
    return AngleResult(score >= threshold, round(score, 4), inliers, max(len(pa), len(near_a)), view,
                       round(blocks, 4), round(overall, 4), round(light_a, 1), round(light_b, 1))


# Mean grey level under which a photo counts as dark, and the exposure gap that counts as large (the
# 光线太暗 hint in verdict.py uses the same two numbers).
DARK_LEVEL, DARK_GAP = 60.0, 40.0
# Homography inliers: below MIN_INLIERS a RANSAC fit over the whole image is what random matches give (a
# guided fit has its own level, guided_chance_level); from TRUSTED_INLIERS on it is trusted (the warp before the structure check and the 站位 hints use the same number). In the dark the
# structure evidence needs fewer: DARK_TRUSTED_INLIERS (chosen on the tuning split).
MIN_INLIERS, TRUSTED_INLIERS, DARK_TRUSTED_INLIERS = 6, 12, 8
# Guided matching looks for B's match of a feature of A within this share of the image diagonal of where
# it was in A (chosen on the tuning split among 7, 10, 15 %).
NEAR_RADIUS = 0.10
# The reprojection tolerance (pixels) _homography gives RANSAC: a chance match is an inlier when it lands this close.
RANSAC_TOLERANCE = 4.0
_MINIMAL_SAMPLE = 4  # matches that define a homography


def guided_chance_level(matches: int, radius: float) -> int:
    """Fewest inliers of a guided fit that chance does not explain (a-contrario, as in ORSA): a wrong guided
    match lands anywhere in its window, so within RANSAC's tolerance of where a fit puts it with chance
    p = (tolerance / radius)^2; k inliers among n matches are meaningful when the expected number of such
    chance fits, (n - 4) * C(n, k) * C(k, 4) * p^(k - 4), is below one. Grows with the matches: 7 of 20,
    9 of 50, 14 of 200 in a window of 96 px. Chosen on the tuning split against a fixed 12 (and p scaled
    by 0.3 or 3)."""
    n, s = matches, _MINIMAL_SAMPLE
    least = s + 2  # the fewest matches _homography fits at all
    if n < least:
        return least
    log_p = 2.0 * math.log(min(1.0, RANSAC_TOLERANCE / radius))
    for k in range(s + 1, n + 1):
        if math.log(n - s) + _log_choose(n, k) + _log_choose(k, s) + (k - s) * log_p < 0.0:
            return max(k, least)
    return n + 1


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def guided_fit_can_win(near_matches: int, inliers: int) -> bool:
    """The guided fit replaces the plain one only with more inliers, and it has at most one per match:
    with no more guided matches than plain inliers its RANSAC (up to 10 ms) cannot change the result."""
    return near_matches > inliers


def _features_fair(light_a: float, light_b: float) -> bool:
    """Both photos lit well enough, and alike enough, for local features to match if the spot is the same."""
    return min(light_a, light_b) >= DARK_LEVEL and abs(light_a - light_b) <= DARK_GAP


def angle_score(inliers: int, view: Viewpoint | None, blocks: float, features_fair: bool = False,
                feature_minimum: int = MIN_INLIERS) -> float:
    """0..1. Feature evidence: inlier count (log) times closeness to identity, from `feature_minimum` on
    (MIN_INLIERS for a fit over the whole image; a guided fit's chance level, guided_chance_level, since its
    matches sit near identity by construction and a few chance ones fit a homography close to it); structure: block share, which counts only as far as the features back
    it: in good light none at MIN_INLIERS, all at TRUSTED_INLIERS; in the dark none without inliers, all
    at DARK_TRUSTED_INLIERS."""
    feat = 0.0
    if view is not None and inliers >= feature_minimum:
        closeness = 1.0 / (1.0 + (view.shift / 0.08) ** 2)
        feat = min(1.0, math.log1p(inliers) / math.log1p(150)) * closeness
    struct = max(0.0, (blocks - 0.5) / 0.5)
    low, full = (MIN_INLIERS, TRUSTED_INLIERS) if features_fair else (0, DARK_TRUSTED_INLIERS)
    struct *= min(1.0, max(0.0, (inliers - low) / (full - low)))
    return float(max(feat, struct))


def _similar_aspect(sa: tuple[int, int], sb: tuple[int, int], tolerance: float = 0.2) -> bool:
    ra, rb = sa[1] / sa[0], sb[1] / sb[0]
    return max(ra, rb) / min(ra, rb) <= 1.0 + tolerance


def matches(a: Features, b: Features, stretch: np.ndarray, radius: float
            ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """features.match(a, b), and the guided Lowe-ratio matches: for each feature of A, the nearest and
    second-nearest descriptor among B's features within `radius` (A's pixels) of its place, B's points
    stretched onto A's frame by `stretch`; guided pb in A's frame. A feature with a single candidate in its
    window has no second-nearest and matches; RANSAC and the guided minimum (angle_score) weigh that."""
    return match_with_near(a, b, b.points * stretch, radius)  # ratio 0.8: as features.match


def near_matches(a: Features, b: Features, stretch: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """The guided matches alone (see matches)."""
    return matches(a, b, stretch, radius)[1]


def _homography(pa: np.ndarray, pb: np.ndarray, iterations: int = RANSAC_ITERATIONS) -> tuple[np.ndarray | None, int]:
    if len(pa) < 6:
        return None, 0
    hmat, mask = cv2.findHomography(pb, pa, cv2.RANSAC, RANSAC_TOLERANCE, maxIters=iterations, confidence=0.999)
    if hmat is None or not np.all(np.isfinite(hmat)):
        return None, 0
    return hmat, int(mask.sum())


def viewpoint(hmat: np.ndarray, w: int, h: int) -> Viewpoint:
    diag = math.hypot(w, h)
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    moved = cv2.perspectiveTransform(corners, hmat).reshape(-1, 2)
    shift = float(np.linalg.norm(moved - corners.reshape(-1, 2), axis=1).mean() / diag)
    centre = cv2.perspectiveTransform(np.float32([[[w / 2, h / 2]]]), hmat).reshape(2)
    translation = float(np.hypot(centre[0] - w / 2, centre[1] - h / 2) / diag)
    # Local affine part at the centre gives zoom and roll.
    eps = 1.0
    px = cv2.perspectiveTransform(np.float32([[[w / 2 + eps, h / 2]]]), hmat).reshape(2) - centre
    py = cv2.perspectiveTransform(np.float32([[[w / 2, h / 2 + eps]]]), hmat).reshape(2) - centre
    jac = np.stack([px, py], axis=1) / eps
    det = float(np.linalg.det(jac))
    scale = math.sqrt(abs(det)) if math.isfinite(det) else 0.0
    rotation = math.degrees(math.atan2(float(jac[1, 0] - jac[0, 1]), float(jac[0, 0] + jac[1, 1])))
    dx, dy = (float(centre[0]) - w / 2) / w, (float(centre[1]) - h / 2) / h
    return Viewpoint(round(min(shift, 99.0), 4), round(scale, 4), round(rotation, 2), round(min(translation, 99.0), 4),
                     round(max(-99.0, min(dx, 99.0)), 4), round(max(-99.0, min(dy, 99.0)), 4))
