"""The photo store: photos kept as received, named by their sha256, one folder (key prefix) per day.

Two backends behind one small interface: the local photo folder (the embedded default) and an
S3-compatible bucket (several hosts share it; see bot/photostore_settings.py). Every photo, and any
file derived from one, is written and read through `store_for(config)`.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bot.photostore_settings import PhotoStoreSettings


class PhotoMissing(FileNotFoundError):
    """No photo under that key (deleted, never written, or a key that points outside the store)."""


class StoreUnavailable(OSError):
    """The store did not answer (down, refused our credentials): the job is retried later."""


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`. A key always names the same bytes, so a backend may skip a key it has."""

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> bool:
        """Remove the object; False when it was already gone (a bucket cannot tell: always True there)."""

    def local_file(self, key: str) -> Path | None:
        """The file on this host, when the backend is a folder (it is then served with conditional GETs)."""

    def link(self, key: str, seconds: int) -> str | None:
        """A URL anyone may GET for `seconds` (presigned), or None when the backend has none."""

    def describe(self) -> str:
        """Where the photos are, for doctor and logs: never a secret."""


def photo_key(now: datetime, digest: str, suffix: str) -> str:
    return f"{now:%Y/%m/%d}/{digest}{suffix}"


def save(store: PhotoStore, data: bytes, now: datetime, suffix: str = ".jpg", *, digest: str = "") -> tuple[str, str]:
    """Write the bytes once (same content, same key) and return (key, sha256).

    `digest` is the bytes' sha256 when the caller has it already (a fingerprint carries it)."""
    digest = digest or hashlib.sha256(data).hexdigest()
    key = photo_key(now, digest, suffix)
    store.put(key, data)
    return key, digest


def checked_key(key: str) -> str:
    """A stored key as we write them (relative, no '..'), so no database row can point anywhere else."""
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts):
        raise PhotoMissing(f"not a photo key: {key!r}")
    return key


_stores: dict[PhotoStoreSettings, PhotoStore] = {}
_lock = threading.Lock()


def store_for(config: _HasPhotoStore) -> PhotoStore:
    """The store a configuration names, built once per process (an S3 client holds a connection pool)."""
    settings = config.photo_store
    with _lock:
        store = _stores.get(settings)
        if store is None:
            store = _stores[settings] = _build(settings)
        return store


def _build(settings: PhotoStoreSettings) -> PhotoStore:
    if settings.s3 is None:
        from bot.photostore_local import LocalFolder

        return LocalFolder(settings.folder)
    from bot.photostore_s3 import S3Store  # boto3 is imported only by deployments that use it

    return S3Store(settings.s3)


class _HasPhotoStore(Protocol):
    @property
    def photo_store(self) -> PhotoStoreSettings: ...
