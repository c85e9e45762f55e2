"""Aligning two photos with a RANSAC similarity (or, for a copy resized to another aspect ratio, affine)
transform and measuring what is left after alignment."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .features import Prepared, match, mirror_plausible
from .noise import NoiseAgreement, noise_agreement


@dataclass(frozen=True)
class Alignment:
    matrix: np.ndarray  # 2x3, maps B (possibly mirrored) points to A points
    mirrored: bool
    matches: int
    inliers: int
    a_points_in_overlap: int
    b_points_in_overlap: int
    scale: float
    affine: bool = False  # fitted with independent x/y scales (a copy squeezed to another aspect ratio)

    @property
    def inlier_share(self) -> float:
        """Inliers over the keypoints that could have matched (those inside the common area)."""
        return self.inliers / max(1, min(self.a_points_in_overlap, self.b_points_in_overlap))


def similarity_alignment(a: Prepared, b: Prepared, *, try_mirror_below: float = 0.25) -> Alignment | None:
    best = _align(a, b, mirrored=False)
    if (best is None or best.inlier_share < try_mirror_below) and mirror_plausible(a, b):
        flipped = _align(a, b, mirrored=True)
        if flipped is not None and (best is None or flipped.inliers > best.inliers):
            best = flipped
    return best


def _align(a: Prepared, b: Prepared, mirrored: bool) -> Alignment | None:
    fa, fb = a.features(), b.features(mirrored)
    pa, pb = match(fa, fb)
    if len(pa) < 4:
        return None
    m, inl = cv2.estimateAffinePartial2D(pb, pa, method=cv2.RANSAC, ransacReprojThreshold=3.0,
                                         maxIters=4000, confidence=0.999, refineIters=10)
    best = _alignment(a, b, m, inl, mirrored, len(pa), affine=False)
    if best is None or best.inlier_share < AFFINE_TRY_BELOW:
        # A resize to another aspect ratio (4:3 squeezed to a square) is no similarity: fit x and y scales
        # apart, but only believe it when it explains clearly more matches than the similarity did.
        m2, inl2 = cv2.estimateAffine2D(pb, pa, method=cv2.RANSAC, ransacReprojThreshold=3.0,
                                        maxIters=4000, confidence=0.999, refineIters=10)
        squeezed = _alignment(a, b, m2, inl2, mirrored, len(pa), affine=True) if _is_resize(m2) else None
        if squeezed is not None and (best is None or squeezed.inliers > AFFINE_GAIN * best.inliers):
            best = squeezed
    return best


AFFINE_TRY_BELOW = 0.5  # similarity inlier share under which an aspect-changing resize is tried
AFFINE_GAIN = 1.5  # the affine fit must explain this many times the similarity's inliers


def _is_resize(m: np.ndarray | None) -> bool:
    """An axis-aligned stretch (what a resize to another aspect ratio does), not a shear or a rotation
    that a perspective change of a separate shot would need."""
    if m is None:
        return False
    sx, sy = float(np.hypot(*m[:, 0])), float(np.hypot(*m[:, 1]))
    cos_axes = abs(float(m[:, 0] @ m[:, 1])) / max(sx * sy, 1e-9)
    return 0.25 < sx / max(sy, 1e-9) < 4.0 and cos_axes < 0.05 and abs(m[1, 0]) / max(sx, 1e-9) < 0.05


def _alignment(a: Prepared, b: Prepared, m: np.ndarray | None, inl: np.ndarray | None, mirrored: bool,
               matches: int, affine: bool) -> Alignment | None:
    if m is None or inl is None:
        return None
    scale = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))
    if not 0.05 < scale < 20:
        return None
    fa, fb = a.features(), b.features(mirrored)
    ha, wa = a.shape
    hb, wb = b.shape
    # Count only keypoints the other image could have resolved: detail finer than
    # the other's pixel grid (after scaling) cannot be matched and would dilute the share.
    mapped_b = fb.points @ m[:, :2].T + m[:, 2]
    b_in = int((_inside(mapped_b, wa, ha) & _resolvable(fb.sizes, fa.sizes, 1.0 / scale)).sum())
    inv = cv2.invertAffineTransform(m)
    mapped_a = fa.points @ inv[:, :2].T + inv[:, 2]
    a_in = int((_inside(mapped_a, wb, hb) & _resolvable(fa.sizes, fb.sizes, scale)).sum())
    return Alignment(m, mirrored, matches, int(inl.sum()), a_in, b_in, scale, affine)


def _resolvable(sizes: np.ndarray, other_sizes: np.ndarray, other_scale: float) -> np.ndarray:
    """Keypoints at least as coarse as the finest the other image detects, in this image's pixels."""
    if other_sizes.size == 0:
        return np.zeros(sizes.shape, bool)
    finest = float(np.percentile(other_sizes, 5)) * max(other_scale, 1.0)
    return sizes >= 0.9 * finest


def _inside(p: np.ndarray, w: int, h: int) -> np.ndarray:
    return (p[:, 0] >= 0) & (p[:, 0] < w) & (p[:, 1] >= 0) & (p[:, 1] < h)


@dataclass(frozen=True)
class Residual:
    coverage: float  # share of the reference frame covered by the other photo
    agree_share: float  # share of (blurred) pixels that agree after tone matching
    highpass_corr: float  # correlation of fine detail (texture and noise) after alignment
    noise: NoiseAgreement = NoiseAgreement(0.0, 0.0)  # noise agreement in flat regions


def residual(a: Prepared, b: Prepared, al: Alignment) -> Residual:
    """Compare pixels in the frame of whichever photo is the lower-resolution one."""
    gb = b.gray[:, ::-1] if al.mirrored else b.gray
    if al.scale > 1.0:  # B is smaller: bring A down into B's frame
        ref, src, m = gb, a.gray, cv2.invertAffineTransform(al.matrix)
        shrink = al.scale
    else:
        ref, src, m = a.gray, gb, al.matrix
        shrink = 1.0 / max(al.scale, 1e-6)
    src = src.astype(np.float32)
    if shrink > 1.2:
        src = cv2.GaussianBlur(src, (0, 0), 0.45 * shrink)
    h, w = ref.shape
    warped = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR)
    valid = cv2.warpAffine(np.ones(src.shape, np.uint8), m, (w, h), flags=cv2.INTER_NEAREST)
    valid = cv2.erode(valid, np.ones((5, 5), np.uint8)) > 0
    coverage = float(valid.mean())
    if valid.sum() < 400:
        return Residual(coverage, 0.0, 0.0)
    r = ref.astype(np.float32)
    matched = np.zeros_like(r)
    matched[valid] = _match_histogram(warped[valid], r[valid])
    return Residual(coverage, _agree_share(r, matched, valid), _highpass_corr(r, matched, valid),
                    noise_agreement(r, matched, valid))


def _match_histogram(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Quantile tone mapping on 256 levels: absorbs brightness, contrast, gamma and colour-to-grey edits."""
    src_hist = np.bincount(np.clip(values, 0, 255).astype(np.uint8), minlength=256)
    dst_hist = np.bincount(np.clip(target, 0, 255).astype(np.uint8), minlength=256)
    src_cdf = np.cumsum(src_hist) / max(1, values.size)
    dst_cdf = np.cumsum(dst_hist) / max(1, target.size)
    # Mid-bin quantiles so that a constant region maps to the middle of its counterpart.
    lut = np.interp(src_cdf - src_hist / (2 * max(1, values.size)), dst_cdf - dst_hist / (2 * max(1, target.size)),
                    np.arange(256, dtype=np.float64))
    return _interpolate_levels(values, lut)


def _interpolate_levels(values: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """np.interp(values, range(256), lut) for values in [0, 255], as float32: on the unit grid the
    bracketing level is the integer part, which spares np.interp's search per pixel."""
    x = np.clip(values, 0, 255).astype(np.float64)
    low = np.minimum(x.astype(np.intp), 254)
    slope = np.diff(lut)
    return (slope[low] * (x - low) + lut[low]).astype(np.float32)


def _agree_share(r: np.ndarray, m: np.ndarray, valid: np.ndarray, cells: int = 16, tol: float = 8.0,
                 min_corr: float = 0.8) -> float:
    """Share of grid cells where the two photos agree: textured cells by correlation, which ignores gain
    (a sharpened or contrast-edited copy keeps it, a moved car or a new shadow does not), flat cells by
    their level after tone matching."""
    h, w = r.shape
    ch, cw = max(4, h // cells), max(4, w // cells)
    ny, nx = h // ch, w // cw
    rb, mb = cv2.GaussianBlur(r, (0, 0), 1.0), cv2.GaussianBlur(m, (0, 0), 1.0)
    inside = _cells(valid, ny, ch, nx, cw).all(axis=1)
    a, b = (_cells(x, ny, ch, nx, cw)[inside].astype(np.float64) for x in (rb, mb))
    level_a, level_b = a.mean(axis=1), b.mean(axis=1)
    a -= level_a[:, None]
    b -= level_b[:, None]
    sa, sb = np.sqrt((a * a).mean(axis=1)), np.sqrt((b * b).mean(axis=1))
    flat = (sa < 3.0) & (sb < 3.0)
    textured = ~flat & (np.minimum(sa, sb) > 1e-3)
    corr = (a * b).mean(axis=1) / np.maximum(sa * sb, 1e-12)
    agree = int((flat & (np.abs(level_a - level_b) < tol)).sum() + (textured & (corr > min_corr)).sum())
    total = int(inside.sum())
    return agree / total if total >= 8 else 0.0


def _cells(x: np.ndarray, ny: int, ch: int, nx: int, cw: int) -> np.ndarray:
    """(ny * nx cells, ch * cw pixels) view-or-copy of the top-left grid of x, cells in row-major order."""
    return x[:ny * ch, :nx * cw].reshape(ny, ch, nx, cw).swapaxes(1, 2).reshape(ny * nx, ch * cw)


def _highpass_corr(r: np.ndarray, m: np.ndarray, valid: np.ndarray) -> float:
    hr = (r - cv2.GaussianBlur(r, (0, 0), 1.5))[valid]
    hm = (m - cv2.GaussianBlur(m, (0, 0), 1.5))[valid]
    sr, sm = float(hr.std()), float(hm.std())
    if sr < 1e-3 or sm < 1e-3:
        return 0.0
    return float(((hr - hr.mean()) * (hm - hm.mean())).mean() / (sr * sm))
