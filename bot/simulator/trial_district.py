"""The little district `chengguan chat --staff` works in: one street, its unit with a routing rule, and
the staff member the terminal speaks as, with an invite code to bind. Idempotent: a second run reuses
what the first one made."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from models import DispatchRule, Identity, InviteCode, Role, Street, Unit, User
from models.geo import Point, wgs84_to_gcj02
from models.users import CHANNEL_WORK

STREET = {"type": "Polygon", "coordinates": [[[116.31, 39.90], [116.32, 39.90], [116.32, 39.91], [116.31, 39.91], [116.31, 39.90]]]}
SPOT_GCJ = wgs84_to_gcj02(Point(39.905, 116.315))  # inside the street, as a phone reports it
NAMES = {Role.REVIEWER: "试用审核员", Role.OFFICER: "试用队员"}


def seed_trial(sessions: sessionmaker[Session], members: dict[str, Role]) -> dict[str, str]:
    """WeCom userid -> the invite code to send as 「绑定 码」, for the members not bound yet."""
    with transaction(sessions) as s:
        street = _street(s)
        unit = s.scalars(select(Unit).where(Unit.code == "TRIAL-ZF")).one_or_none()
        if unit is None:
            unit = Unit(code="TRIAL-ZF", name="试用执法队", street_id=street.id)
            s.add(unit)
            s.flush()
            s.add(DispatchRule(street_id=street.id, unit_id=unit.id))
        codes = {}
        for userid, role in members.items():
            if s.scalar(select(Identity.id).where(Identity.channel == CHANNEL_WORK, Identity.external_id == userid)):
                continue
            member = User(name=NAMES[role], role=role, street_id=street.id,
                          unit_id=unit.id if role == Role.OFFICER else None)
            s.add(member)
            s.flush()
            invite, codes[userid] = InviteCode.issue(member.id)
            s.add(invite)
        return codes


def _street(s: Session) -> Street:
    street = s.scalars(select(Street).where(Street.code == "TRIAL")).one_or_none()
    if street is None:
        street = Street(code="TRIAL", name="试用街道", polygon=STREET)
        s.add(street)
        s.flush()
    return street
