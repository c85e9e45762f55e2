"""One access token per app for every process: read from the database, refreshed by one process at a time.

`SharedToken.get()` answers from memory while the token is fresh, else from the database; only when
the stored token is missing, near its end, or was just rejected by WeChat does one process take the
refresh lease and fetch a new one, while the others wait for it. The HTTP call runs outside any
transaction, so on SQLite no webhook waits for WeChat's token server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from models import utcnow
from models.api_tokens import ApiToken
from models.base import insert_unless_present

FRESH_MARGIN = timedelta(minutes=5)  # refresh this long before expiry: WeChat's own overlap window
LEASE = timedelta(seconds=30)  # a refresher that died frees the lease after this
WAIT_SECONDS = 15.0  # how long another process's refresh is waited for
POLL_SECONDS = 0.1

# (token, seconds it lives); `force` is True when the current token was rejected
Fetch = Callable[[bool], tuple[str, int]]


_sessions: sessionmaker[Session] | None = None


def share_through(sessions: sessionmaker[Session]) -> None:
    """API clients built from now on keep their access tokens in this database (Service.build calls it)."""
    global _sessions
    _sessions = sessions


def shared_sessions() -> sessionmaker[Session] | None:
    return _sessions


class TokenBusy(Exception):
    """Another process's refresh took too long; the job is tried again later."""


class SharedToken:
    def __init__(self, sessions: sessionmaker[Session], app_key: str, fetch: Fetch) -> None:
        self._sessions, self._key, self._fetch = sessions, app_key, fetch
        self._token, self._expires_at = "", datetime.min.replace(tzinfo=utcnow().tzinfo)

    def get(self) -> str:
        if self._token and self._expires_at - utcnow() > FRESH_MARGIN:
            return self._token
        return self._shared(rejected=None)

    def refresh(self) -> str:
        """A new token because WeChat rejected the one in hand (unless another process already replaced it)."""
        return self._shared(rejected=self._token or None)

    def _shared(self, rejected: str | None) -> str:
        give_up = time.monotonic() + WAIT_SECONDS
        while True:
            found, leased = self._read_or_lease(rejected)
            if found is not None:
                return self._remember(*found)
            if leased:
                return self._remember(*self._fetch_and_store(force=rejected is not None))
            if time.monotonic() > give_up:
                raise TokenBusy(f"{self._key}: another process has been refreshing the access token for "
                                f"{WAIT_SECONDS:.0f} s")
            time.sleep(POLL_SECONDS)

    def _read_or_lease(self, rejected: str | None) -> tuple[tuple[str, datetime] | None, bool]:
        """The stored token when it is usable; else whether this process took the refresh lease."""
        now = utcnow()
        with transaction(self._sessions) as session:
            session.execute(insert_unless_present(ApiToken.__table__, ("app_key",), session.bind.dialect.name),
                            {"app_key": self._key, "token": "", "fetches": 0})
            row = session.scalars(select(ApiToken).where(ApiToken.app_key == self._key).with_for_update()).one()
            if row.token and row.token != rejected and row.expires_at and row.expires_at - now > FRESH_MARGIN:
                return (row.token, row.expires_at), False
            if row.refreshing_until is not None and row.refreshing_until > now:
                return None, False
            row.refreshing_until = now + LEASE
            return None, True

    def _fetch_and_store(self, force: bool) -> tuple[str, datetime]:
        try:
            token, lifetime = self._fetch(force)
        except BaseException:
            self._store(None)  # free the lease at once: another process may try
            raise
        expires_at = utcnow() + timedelta(seconds=lifetime)
        self._store((token, expires_at))
        return token, expires_at

    def _store(self, fetched: tuple[str, datetime] | None) -> None:
        with transaction(self._sessions) as session:
            row = session.get_one(ApiToken, self._key, with_for_update=True)
            row.refreshing_until = None
            if fetched is not None:
                row.token, row.expires_at = fetched
                row.fetched_at, row.fetches = utcnow(), row.fetches + 1

    def _remember(self, token: str, expires_at: datetime) -> str:
        self._token, self._expires_at = token, expires_at
        return token
