"""The redacted copy of a photo, made once and kept in the photo folder (a derived file named by its
own sha256), recorded in photo_redactions. The original is never changed: photocheck reads it."""

from __future__ import annotations

import logging

from PIL import UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import photostore
from bot.config import Config
from bot.redaction.image import redact
from models.base import utcnow
from models.photo_links import PhotoRedaction
from models.photos import Photo

log = logging.getLogger(__name__)


def redacted_copy(session: Session, config: Config, photo: Photo) -> PhotoRedaction | None:
    """The photo's redacted copy, made now if it has none; None when the original cannot be read
    (then nothing of it leaves the service)."""
    found = session.scalar(select(PhotoRedaction).where(PhotoRedaction.photo_id == photo.id))
    if found is not None or not photo.storage_path:
        return found
    try:
        result = redact(photostore.read(config.photo_dir, photo.storage_path))
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        log.warning("photo %s could not be redacted: %s", photo.id, type(exc).__name__)
        return None
    relative, _ = photostore.save(config.photo_dir, result.jpeg, utcnow(), suffix=".redacted.jpg")
    kinds = [box.kind for box in result.regions]
    found = PhotoRedaction(photo_id=photo.id, storage_path=relative, faces=kinds.count("face"),
                           plates=kinds.count("plate"),
                           regions=[{"kind": b.kind, "x": b.x, "y": b.y, "w": b.w, "h": b.h} for b in result.regions])
    session.add(found)
    session.flush()
    return found
