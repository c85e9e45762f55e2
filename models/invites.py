"""One-time invite codes that bind a staff member's WeCom account to the user an admin created."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, intpk, utcnow

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed on a phone


class InviteCode(Base):
    __tablename__ = "invite_codes"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(12), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    @classmethod
    def issue(cls, user_id: int, valid_for: timedelta = timedelta(days=7)) -> InviteCode:
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        return cls(code=code, user_id=user_id, expires_at=utcnow() + valid_for)

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
