"""What the platform behind an uplink supports, as stored, and its health.

Three sources fill a platform's row, the later ones winning: discovery (`chengguan platform
sync-services` and a daily refresh, see bot.uplink.discovery), what the platform's answers teach
the push jobs (a 404 on updates; a request accepted only with `address`), and a person
(`chengguan platform capabilities --set`), whose settings neither of the others overwrites.

Writes here run in their own short transaction: they record what the platform did, which stays
true whether or not the job that saw it succeeds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from models.base import utcnow
from models.platform import TARGET_OPEN311, PlatformCapabilities

YES, NO, UNKNOWN = "yes", "no", "unknown"
CHOICES: dict[str, tuple[str, ...]] = {
    "updates": (YES, NO, UNKNOWN), "tokens": (YES, NO, UNKNOWN),
    "address_field": ("address_string", "address"), "media": ("url", "upload"),
}
SETTABLE = (*CHOICES, "page_size")
HEALTH_EVERY = timedelta(seconds=30)  # a success is written at most this often: one write per job would cost


def current(session: Session, target: str = TARGET_OPEN311) -> PlatformCapabilities:
    """The stored row, or the defaults (not added to the session) while nothing is known."""
    row = session.scalar(select(PlatformCapabilities).where(PlatformCapabilities.target == target))
    return row if row is not None else defaults(target)


def defaults(target: str = TARGET_OPEN311) -> PlatformCapabilities:
    return PlatformCapabilities(target=target, base_url="", discovery=False, updates=UNKNOWN, tokens=UNKNOWN,
                                address_field="address_string", media="url", page_size=None, manual="",
                                last_error="")


def _row(session: Session, target: str) -> PlatformCapabilities:
    row = session.scalar(select(PlatformCapabilities).where(PlatformCapabilities.target == target))
    if row is None:
        row = defaults(target)
        try:
            with session.begin_nested():  # another worker may add it first; then use theirs
                session.add(row)
        except IntegrityError:
            row = session.scalars(select(PlatformCapabilities).where(PlatformCapabilities.target == target)).one()
    return row


def store_discovered(session: Session, found: dict[str, Any], base_url: str, target: str = TARGET_OPEN311) -> \
        PlatformCapabilities:
    """Write what discovery found, except fields a person set and answers discovery could not give (None)."""
    row = _row(session, target)
    hand = manual_fields(row)
    for name, value in found.items():
        if value is not None and name not in hand:
            setattr(row, name, value)
    row.base_url, row.checked_at = base_url, utcnow()
    return row


def learn(sessions: sessionmaker[Session], target: str = TARGET_OPEN311, **fields: Any) -> None:
    """Record what an answer of the platform showed (own transaction); a person's settings stay."""
    with transaction(sessions) as session:
        row = _row(session, target)
        hand = manual_fields(row)
        for name, value in fields.items():
            if name not in hand:
                setattr(row, name, value)


def set_by_hand(session: Session, name: str, raw: str, target: str = TARGET_OPEN311) -> PlatformCapabilities:
    """`--set name=value`: validated, and marked so discovery and learning leave it alone."""
    if name not in SETTABLE:
        raise ValueError(f"不能设置 {name}: 可设置 {', '.join(SETTABLE)}")
    if name == "page_size":
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(f"page_size={raw} 应为正整数, 如 page_size=100")
        value: Any = int(raw)
    elif raw not in CHOICES[name]:
        raise ValueError(f"{name}={raw} 不可用: 可选 {' / '.join(CHOICES[name])}")
    else:
        value = raw
    row = _row(session, target)
    setattr(row, name, value)
    row.manual = ",".join(sorted(manual_fields(row) | {name}))
    return row


def manual_fields(row: PlatformCapabilities) -> set[str]:
    return {name for name in (row.manual or "").split(",") if name}


# --- health ------------------------------------------------------------------------------------
def record_success(sessions: sessionmaker[Session], last_known: datetime | None,
                   target: str = TARGET_OPEN311) -> None:
    """A job's calls all went as asked. Skipped while the time the job read (`last_known`) is recent enough."""
    now = utcnow()
    if last_known is not None and now - last_known < HEALTH_EVERY:
        return
    with transaction(sessions) as session:
        _row(session, target).last_success_at = now


def record_failure(sessions: sessionmaker[Session], error: str, target: str = TARGET_OPEN311) -> None:
    with transaction(sessions) as session:
        row = _row(session, target)
        row.last_failure_at, row.last_error = utcnow(), error[:300]


def healthy_since(row: PlatformCapabilities, moment: datetime) -> bool:
    """The platform answered some call as asked after `moment`: it is up, whatever else fails."""
    return row.last_success_at is not None and row.last_success_at > moment
