"""Sensor-noise agreement in flat regions: a copy versus a separate exposure of a static scene.

Edge and texture agreement cannot tell a copy from a tripod exposure bracket or a camera's
HDR on/off pair: the scene is the same, so the fine structure matches. What differs is the
noise. In flat (low-texture) regions the fine residual is mostly sensor noise and compression
grain; a copy carries that exact pattern along, even after brightness, gamma, crop or resize
edits, while a separate exposure has fresh, independent noise. A mid band-pass (not the finest
pixels) is used so that the copy's resampling to another pixel grid does not decorrelate it.

Some photos have no noise left to compare (video frames, palette GIFs, heavy JPEG): `level`
says how much there is, so the caller can weigh this evidence by how measurable it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BAND = (1.0, 3.0)  # Gaussian sigmas (pixels of the reference frame) of the band-pass
FLAT_SHARE = 0.2  # the flattest fifth of the common area
CLIP = (8.0, 247.0)  # pixels near black or white carry no noise (clipped) in at least one photo


@dataclass(frozen=True)
class NoiseAgreement:
    corr: float  # correlation of the band-passed residuals over the flat pixels
    level: float  # the smaller of the two residuals' standard deviations there, in grey levels


def noise_agreement(ref: np.ndarray, other: np.ndarray, valid: np.ndarray) -> NoiseAgreement:
    """`ref` and `other` (float32, same frame, tone-matched) compared where both are flat."""
    usable = valid & _unclipped(ref) & _unclipped(other)
    if usable.sum() < 400:
        return NoiseAgreement(0.0, 0.0)
    tex = np.maximum(_texture(ref), _texture(other))
    flat = usable & (tex <= np.percentile(tex[usable], 100 * FLAT_SHARE))
    br, bo = _band(ref)[flat], _band(other)[flat]
    sr, so = float(br.std()), float(bo.std())
    if min(sr, so) < 1e-3:
        return NoiseAgreement(0.0, min(sr, so))
    corr = float(((br - br.mean()) * (bo - bo.mean())).mean() / (sr * so))
    return NoiseAgreement(corr, min(sr, so))


def _unclipped(x: np.ndarray) -> np.ndarray:
    return (x > CLIP[0]) & (x < CLIP[1])


def _band(x: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(x, (0, 0), BAND[0]) - cv2.GaussianBlur(x, (0, 0), BAND[1])


def _texture(x: np.ndarray) -> np.ndarray:
    """Local gradient magnitude at a coarser scale than the noise band: where the scene has structure."""
    smooth = cv2.GaussianBlur(x, (0, 0), 2.0)
    grad = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    return cv2.GaussianBlur(grad, (0, 0), 3.0)
