"""Erasing photos for privacy: the row stays (the case keeps its count of photos, the check's verdict
stays for the statistics) but loses its file, its content hash, its fingerprint and its entries in the
near-duplicate index.

Files are named by their content, so two rows can share one: a file is removed only once no stored
photo points at it any more, and only after the transaction that erased the rows has committed (a
rollback must not leave rows pointing at missing files).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.photostore import PhotoStore, store_for
from models import Photo, PhotoFeatures, PhotoHash, PhotoLink, PhotoRedaction, PhotoStatus
from models.outbox import enqueue

if TYPE_CHECKING:  # bot.worker needs bot.service
    from bot.worker import JobContext

log = logging.getLogger(__name__)

ERASE_FILES = "privacy.erase_files"  # the outbox job that removes the files after the commit


def erase_photos(session: Session, photo_ids: Sequence[int]) -> list[str]:
    """Mark the photos erased in the caller's transaction; returns their files, for remove_unreferenced()
    once it has committed."""
    if not photo_ids:
        return []
    paths = [p for p in session.scalars(select(Photo.storage_path).where(Photo.id.in_(photo_ids))) if p]
    paths += [p for p in session.scalars(
        select(PhotoRedaction.storage_path).where(PhotoRedaction.photo_id.in_(photo_ids))) if p]
    for derived in (PhotoHash, PhotoFeatures, PhotoRedaction, PhotoLink):  # what was made from the photo goes with it
        session.execute(delete(derived).where(derived.photo_id.in_(photo_ids)).execution_options(synchronize_session=False))
    session.execute(
        update(Photo).where(Photo.id.in_(photo_ids))
        .values(status=PhotoStatus.ERASED, storage_path=None, sha256=None, fingerprint=None, taken_at=None)
        .execution_options(synchronize_session=False)
    )
    return sorted(set(paths))


def remove_unreferenced(session: Session, store: PhotoStore, paths: Iterable[str]) -> int:
    """Delete the files no photo row points at any more; returns how many were removed."""
    wanted = sorted(set(paths))
    if not wanted:
        return 0
    still_used = set(session.scalars(select(Photo.storage_path).where(Photo.storage_path.in_(wanted))))
    still_used |= set(session.scalars(select(PhotoRedaction.storage_path).where(PhotoRedaction.storage_path.in_(wanted))))
    removed = 0
    for relative in wanted:
        if relative in still_used:
            continue
        try:
            removed += store.delete(relative)
        except OSError as exc:  # the next erasure of this file, or a person, finishes it
            log.warning("could not delete erased photo file %s: %s", relative, exc.strerror or exc)
    return removed


def queue_file_removal(session: Session, paths: Sequence[str], key: str) -> None:
    """Remove the files once this transaction has committed (the worker runs the job after it)."""
    if paths:
        enqueue(session, ERASE_FILES, {"paths": list(paths)}, key=key)


def erase_files_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    remove_unreferenced(ctx.session, store_for(ctx.service.config), payload["paths"])
