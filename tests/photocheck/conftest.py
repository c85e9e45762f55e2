"""Helpers for the photocheck tests. Real photos come from tests/photos.py (the scikit-image wheel)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from tests.photos import image, jpeg


def jpeg_bytes(im: Image.Image, quality: int = 90, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def textured(w: int = 320, h: int = 240, seed: int = 0) -> Image.Image:
    """A synthetic image with structure at several scales (hashes and features need some)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (h // 16, w // 16, 3), dtype=np.uint8)
    base = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
    arr = np.asarray(base, np.int16) + rng.integers(-20, 20, (h, w, 1))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def count_calls(monkeypatch, module: object, name: str) -> list[int]:  # type: ignore[no-untyped-def]
    """Wrap `module.name` for the test; the returned list grows by one per call."""
    calls: list[int] = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def thumbnail(im: Image.Image, side: int) -> bytes:
    """`im` shrunk to at most `side` pixels, as JPEG."""
    im = im.copy()
    im.thumbnail((side, side), Image.Resampling.LANCZOS)
    return jpeg(im)


def taken_again(name: str, *, brightness: float, contrast: float, blur: float, noise: float) -> Image.Image:
    """Photo `name` taken again: the same spot a little to the side, in other light (brightness and contrast
    factors), softer (Gaussian blur radius) and with sensor noise (its standard deviation)."""
    im = image(name)
    w, h = im.size
    moved = im.crop((w // 20, h // 40, w, h)).resize((w, h))
    lit = ImageEnhance.Contrast(ImageEnhance.Brightness(moved).enhance(brightness)).enhance(contrast)
    noisy = np.asarray(lit.filter(ImageFilter.GaussianBlur(blur)), np.float32)
    noisy += np.random.default_rng(0).normal(0, noise, (h, w, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
