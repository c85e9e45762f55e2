"""Photos of a case: the problem photo(s) and the rectification photo(s)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, intpk, str_enum
from models.enums import PhotoRole, PhotoStatus


class Photo(Base):
    __tablename__ = "photos"

    id: Mapped[intpk]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[PhotoRole] = mapped_column(str_enum(PhotoRole))
    storage_path: Mapped[str | None] = mapped_column(String(300))  # its key in the photo store (bot/photostore.py)
    status: Mapped[PhotoStatus] = mapped_column(str_enum(PhotoStatus), default=PhotoStatus.PENDING)
    error: Mapped[str | None] = mapped_column(String(200))  # why it was rejected
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[datetime | None]  # EXIF DateTimeOriginal, when the phone kept it
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fingerprint: Mapped[dict[str, Any] | None]
    check_result: Mapped[dict[str, Any] | None]  # photocheck verdict for rectification photos
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        return f"<Photo {self.id} {self.role} {self.status}>"


class PhotoFeatures(Base):
    """photocheck's keypoints and descriptors of a stored photo (photocheck.featureblob), made once
    when the photo arrives so that a pair check does not run SIFT on the problem photo again.
    A separate table: listings of photos never load these blobs (about 100 KB each)."""

    __tablename__ = "photo_features"

    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)  # photocheck.featureblob.FEATURES_VERSION when made
    data: Mapped[bytes] = mapped_column(LargeBinary)
