"""Access tokens for WeChat and WeCom, one row per app, shared by every process of the deployment.

WeChat invalidates an account's previous token when anyone fetches a new one with /cgi-bin/token and
allows 2,000 fetches a day, shared with every other system using the same secret: processes that
each fetch their own token knock each other's out. `refreshing_until` is a short lease: the process
that takes it fetches the token (outside any transaction), the others wait for its result.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ApiToken(Base):
    __tablename__ = "api_tokens"

    app_key: Mapped[str] = mapped_column(String(120), primary_key=True)  # e.g. "mp:wx123", "work:ww45:1000002"
    token: Mapped[str] = mapped_column(String(600), default="")
    expires_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime | None]
    fetches: Mapped[int] = mapped_column(default=0)  # since the row was made: a refresh loop shows here
    refreshing_until: Mapped[datetime | None]
