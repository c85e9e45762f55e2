"""What of a photo may leave the service.

- PhotoRedaction: the redacted copy of a photo (no EXIF, faces and plates blurred), made once and
  stored in the photo folder beside the original, which stays internal for the photo checks.
- PhotoLink: one link token per photo and audience, reused until it expires, so a listing read
  many times hands out one link per photo, not a fresh one on every call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, intpk


class PhotoRedaction(Base):
    __tablename__ = "photo_redactions"

    id: Mapped[intpk]
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"), unique=True)
    storage_path: Mapped[str | None] = mapped_column(String(300))  # in the photo folder; None: unreadable, never shown
    faces: Mapped[int] = mapped_column(Integer, default=0)  # boxes blurred
    plates: Mapped[int] = mapped_column(Integer, default=0)
    regions: Mapped[list[Any]] = mapped_column(default=list)  # [{kind, x, y, w, h}] blurred
    created_at: Mapped[created_at]


class PhotoLink(Base):
    __tablename__ = "photo_links"
    __table_args__ = (UniqueConstraint("photo_id", "audience"),)

    id: Mapped[intpk]
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"), index=True)
    audience: Mapped[str] = mapped_column(String(20))  # public | platform | private
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime]
