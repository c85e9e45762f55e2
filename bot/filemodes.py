"""The embedded default's files are the service user's alone: folders 0700, files 0600.

The database holds staff and residents' reports, the photo folder their photos, the data dir the
signing key; with the usual umask (022) all of them were world-readable. What already exists with
looser modes is tightened when it belongs to us (a folder someone else owns is left to them).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    _tighten(path, FOLDER_MODE)


def private_file(path: Path) -> None:
    """Create `path` empty with FILE_MODE unless it exists; tighten it if it does."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)


def private_sqlite_file(database_url: str) -> None:
    """Create a SQLite database file 0600 before SQLite does (SQLite gives its -wal and -shm files
    the database file's mode, so they follow)."""
    url = make_url(database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.is_dir():
        private_file(path)


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _tighten(path: Path, mode: int) -> None:
    info = path.stat()
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & ~mode:
        path.chmod(stat.S_IMODE(info.st_mode) & mode)
