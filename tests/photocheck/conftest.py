"""Fixtures for the photocheck tests. The labelled photos live outside the repo
(../shared/photos, or CHENGGUAN_PHOTOS_DIR); tests that need them fail, not skip, without them."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def photos_root() -> Path:
    return Path(os.environ.get("CHENGGUAN_PHOTOS_DIR") or REPO.parent / "shared" / "photos")


@pytest.fixture(scope="session")
def photos() -> Path:
    root = photos_root()
    if not (root / "pairs.csv").is_file():
        pytest.fail(f"labelled photos not found at {root}: put them there or set CHENGGUAN_PHOTOS_DIR")
    return root


@pytest.fixture(scope="session")
def read(photos: Path):
    def _read(rel: str) -> bytes:
        return (photos / "images" / rel).read_bytes()
    return _read


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
