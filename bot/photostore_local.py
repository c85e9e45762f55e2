"""The local photo folder: the embedded default, one file per photo under $CHENGGUAN_DATA_DIR/photos."""

from __future__ import annotations

import os
from pathlib import Path

from bot.filemodes import FOLDER_MODE, write_private
from bot.photostore import PhotoMissing, checked_key


class LocalFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, key: str, data: bytes) -> None:
        target = self._path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        temporary = target.with_suffix(f".{os.getpid()}.part")
        write_private(temporary, data)
        temporary.replace(target)  # atomic: a reader never sees half a photo

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise PhotoMissing(key) from exc

    def delete(self, key: str) -> bool:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def local_file(self, key: str) -> Path | None:
        try:
            path = self._path(key)
        except PhotoMissing:
            return None
        return path if path.is_file() else None

    def link(self, key: str, seconds: int) -> str | None:
        return None

    def describe(self) -> str:
        return str(self.folder)

    def _path(self, key: str) -> Path:
        """The key's file, refusing any key that would lead outside the folder (a symlink, too)."""
        root = self.folder.resolve()
        path = (root / checked_key(key)).resolve()
        if not path.is_relative_to(root):
            raise PhotoMissing(key)
        return path
