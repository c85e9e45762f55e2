"""Failed console logins, limited per login name and per client address.

Kept in the database (table login_attempts), not in memory: every gunicorn process and host sees the
same count, and a restart does not reset it. Rows older than the window are deleted as new ones come.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 20


def blocked(session: Session, login: str, address: str, now: datetime) -> bool:
    since = now - WINDOW
    failed = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.ok.is_(False), LoginAttempt.at >= since)
    by_login = session.scalar(failed.where(LoginAttempt.login == login)) or 0
    by_address = session.scalar(failed.where(LoginAttempt.address == address)) or 0
    return by_login >= MAX_FAILURES_PER_LOGIN or by_address >= MAX_FAILURES_PER_ADDRESS


def record(session: Session, login: str, address: str, ok: bool, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - WINDOW))
    if ok:  # the owner got in: their own earlier typos no longer count (the address's still do)
        session.execute(delete(LoginAttempt).where(LoginAttempt.login == login[:64], LoginAttempt.ok.is_(False)))
    session.add(LoginAttempt(login=login[:64], address=address[:64], ok=ok, at=now))
