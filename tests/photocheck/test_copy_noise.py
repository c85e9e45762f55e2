"""Copy versus separate exposure of a static scene: the sensor-noise evidence (photocheck/noise.py).

A tripod exposure bracket aligns perfectly and its texture agrees with the other frame;
only its noise is new. A brightness edit of a photo keeps the photo's noise.
"""

import io

import numpy as np
from PIL import Image, ImageEnhance

from photocheck import compare_pair
from photocheck.noise import noise_agreement
from tests.photocheck.conftest import jpeg_bytes, textured

W, H = 800, 600


def _scene() -> np.ndarray:
    """Structure in the top half (for matching), a smooth wall in the bottom half (for the noise)."""
    top = np.asarray(textured(W, H // 2, seed=4), np.float32)
    ramp = np.linspace(70, 180, W, dtype=np.float32)[None, :, None] * np.ones((H // 2, 1, 3), np.float32)
    return np.concatenate([top, ramp], axis=0)


def _exposure(scene: np.ndarray, seed: int, gain: float = 1.0, sigma: float = 3.0) -> bytes:
    """One shot of the scene: its own sensor noise, then a JPEG."""
    noise = np.random.default_rng(seed).normal(0, sigma, scene.shape[:2])[..., None]
    return jpeg_bytes(Image.fromarray(np.clip(scene * gain + noise, 0, 255).astype(np.uint8)), 92)


def _brighter(data: bytes, factor: float = 1.3) -> bytes:
    return jpeg_bytes(ImageEnhance.Brightness(Image.open(io.BytesIO(data))).enhance(factor), 85)


def test_brightness_edited_copy_is_a_copy() -> None:
    shot = _exposure(_scene(), seed=1)
    r = compare_pair(shot, _brighter(shot))
    assert r.copy, r.copy_detail
    assert r.copy_detail.noise_corr > 0.6


def test_separate_exposure_of_the_same_scene_is_not_a_copy() -> None:
    scene = _scene()
    r = compare_pair(_exposure(scene, seed=1), _exposure(scene, seed=2, gain=0.8))
    assert not r.copy, r.copy_detail
    assert abs(r.copy_detail.noise_corr) < 0.2
    assert r.same_angle  # still the same spot: only the copy verdict changes


def test_noise_agreement_on_flat_patches() -> None:
    rng = np.random.default_rng(0)
    flat = np.full((200, 200), 120, np.float32)
    a = flat + rng.normal(0, 3, flat.shape).astype(np.float32)
    fresh = flat + rng.normal(0, 3, flat.shape).astype(np.float32)
    valid = np.ones(flat.shape, bool)
    same = noise_agreement(a, 1.3 * a - 20, valid)  # a tone edit keeps the pattern
    other = noise_agreement(a, fresh, valid)
    assert same.corr > 0.99 and same.level > 0.5
    assert abs(other.corr) < 0.1
    assert noise_agreement(flat, flat, valid).level == 0.0  # nothing to compare: no evidence
