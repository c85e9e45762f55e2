"""The redacted copy of a photo, made once and kept in the photo folder (a derived file named by its
own sha256), recorded in photo_redactions. The original is never changed: photocheck reads it.

Redacting takes about a second (more on a busy machine), so it runs outside any transaction: on SQLite
a write transaction holds the lock every webhook needs. Only the record is written, in a short one.
A photo that cannot be read is recorded without a copy: nothing of it ever leaves the service."""

from __future__ import annotations

import logging

from PIL import UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import photostore
from bot.db import transaction
from bot.redaction.image import redact
from bot.service import Service
from models.base import utcnow
from models.photo_links import PhotoRedaction
from models.photos import Photo

log = logging.getLogger(__name__)


def existing_copy(session: Session, photo_id: int) -> PhotoRedaction | None:
    return session.scalar(select(PhotoRedaction).where(PhotoRedaction.photo_id == photo_id))


def make_copy(service: Service, photo_id: int) -> None:
    """Make and record the photo's redacted copy unless it has one. Call it with no transaction open."""
    with service.reads() as session:
        if existing_copy(session, photo_id) is not None:
            return
        stored = session.scalar(select(Photo.storage_path).where(Photo.id == photo_id))
    record = PhotoRedaction(photo_id=photo_id, storage_path=None, regions=[])
    try:
        result = redact(photostore.store_for(service.config).get(stored or ""))
    except photostore.StoreUnavailable:
        raise  # the store is down, not the photo: try again later
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        log.warning("photo %s could not be redacted, it will not leave the service: %s", photo_id, type(exc).__name__)
    else:
        record.storage_path, _ = photostore.save(photostore.store_for(service.config), result.jpeg, utcnow(), suffix=".redacted.jpg")
        kinds = [box.kind for box in result.regions]
        record.faces, record.plates = kinds.count("face"), kinds.count("plate")
        record.regions = [{"kind": b.kind, "x": b.x, "y": b.y, "w": b.w, "h": b.h} for b in result.regions]
    try:
        with transaction(service.sessions) as session:
            session.add(record)
    except IntegrityError:
        pass  # another process recorded it first: the same photo gives the same copy
