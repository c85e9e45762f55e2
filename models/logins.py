"""Console sign-in attempts, kept for a short window so failed logins can be rate limited across processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk, utcnow


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[intpk]
    login: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    ok: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
