"""Processes queue for SQLite's write lock on a lock file instead of in SQLite's busy handler.

When BEGIN IMMEDIATE finds another process writing, SQLite's busy handler sleeps 1, 2, 5, 10 …
up to 100 ms between tries, and it does not wake when the lock frees. The web process then
sleeps long after the worker's short transaction has ended, while every other request waits for
its one connection: in the webhook benchmark that turned 200 msg/s into a backlog of seconds.

Here a writer first takes an advisory lock on `<database>.writelock` (flock), trying again at
most 1 ms later, and releases it right after COMMIT or ROLLBACK. SQLite's own locking still
decides correctness; this file only makes waiting short. Without fcntl (Windows) it does nothing.
"""

from __future__ import annotations

import os
import sqlite3
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

FIRST_PAUSE_S = 0.00005
LONGEST_PAUSE_S = 0.001


class WriteLock:
    def __init__(self, path: str, timeout_s: float) -> None:
        self.path, self.timeout_s = path, timeout_s
        self._fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        """Wait for the lock; after `timeout_s` go on anyway and let SQLite's busy handling decide."""
        if fcntl is None or self.held:
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline, pause = time.monotonic() + self.timeout_s, FIRST_PAUSE_S
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_S)

    def release(self) -> None:
        if self.held and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self.held = False

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class QueuedConnection(sqlite3.Connection):
    """A pysqlite connection that gives the write lock back as soon as its transaction ends."""

    write_lock: WriteLock | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.write_lock is not None:
                self.write_lock.close()

    def _release(self) -> None:
        if self.write_lock is not None:
            self.write_lock.release()
