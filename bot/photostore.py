"""The photo folder: files stored as received, named by their sha256, in one folder per day."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from bot.filemodes import FOLDER_MODE, write_private


def save(photo_dir: Path, data: bytes, now: datetime, suffix: str = ".jpg", *, digest: str = "") -> tuple[str, str]:
    """Write the bytes once (same content, same file) and return (relative path, sha256).

    `digest` is the bytes' sha256 when the caller has it already (a fingerprint carries it)."""
    digest = digest or hashlib.sha256(data).hexdigest()
    relative = Path(f"{now:%Y/%m/%d}") / f"{digest}{suffix}"
    target = photo_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        temporary = target.with_suffix(f".{os.getpid()}.part")
        write_private(temporary, data)
        temporary.replace(target)  # atomic: a reader never sees half a photo
    return relative.as_posix(), digest


def read(photo_dir: Path, relative: str) -> bytes:
    return (photo_dir / relative).read_bytes()


def delete(photo_dir: Path, relative: str) -> bool:
    """Remove a stored photo's file; False when it was already gone."""
    try:
        (photo_dir / relative).unlink()
    except FileNotFoundError:
        return False
    return True
