"""The labelled development photos in ../shared/photos (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def photos_dir() -> Path:
    folder = Path(os.environ.get("CHENGGUAN_PHOTOS_DIR") or REPO.parent / "shared" / "photos")
    if not (folder / "pairs.csv").exists():
        raise FileNotFoundError(
            f"development photos not found at {folder}; put shared/ beside the repo or set CHENGGUAN_PHOTOS_DIR"
        )
    return folder


def photo(relative: str) -> bytes:
    """A photo by its path in pairs.csv, e.g. 'images/opensfm_lund/01.jpg'."""
    return (photos_dir() / relative).read_bytes()
