"""A hand-computed month (2026-11) for two streets; the expected figures are worked out in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models import AuditEvent, Case, CaseSource, CaseStatus, Satisfaction, Unit
from models.calendar import TZ
from tests.factories import make_street, make_user
from models.enums import Role

S = CaseSource


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@dataclass
class World:
    a: int
    b: int
    cases: dict[str, Case]


def build(session: Session) -> World:
    a, b = make_street(session, "JD01", "东街街道"), make_street(session, "JD02", "西街街道")
    u1, u2 = Unit(code="U1", name="环卫所"), Unit(code="U2", name="市政所")
    session.add_all([u1, u2])
    session.flush()
    officer = make_user(session, Role.OFFICER, name="张三")
    cases: dict[str, Case] = {}

    def case(name: str, street: int, source: CaseSource, created: datetime, deadline: datetime, status: CaseStatus,
             closed: datetime | None = None, rating: tuple[Satisfaction, datetime] | None = None,
             unit: int | None = None, events: tuple[tuple[str, datetime], ...] = ()) -> None:
        c = Case(number=f"C{len(cases) + 1:03d}", source=source, category_code="E0102", street_id=street,
                 unit_id=unit, assignee_id=officer.id, created_at=created, deadline=deadline, status=status,
                 closed_at=closed, satisfaction=rating[0] if rating else None, rated_at=rating[1] if rating else None,
                 rework_count=sum(1 for action, _ in events if action == "return"), address=f"{name} 号")
        session.add(c)
        session.flush()
        for action, when in events:
            session.add(AuditEvent(case_id=c.id, action=action, created_at=when))
        cases[name] = c

    closed = CaseStatus.CLOSED
    # Street A (东街)
    case("c1", a.id, S.SNAPSHOT, at(11, 2), at(11, 5, 17, 30), closed, at(11, 4, 10), (Satisfaction.SATISFIED, at(11, 6)),
         unit=u1.id, events=(("verify", at(11, 4)),))
    case("c2", a.id, S.THIRD_PARTY, at(11, 3), at(11, 6, 17, 30), closed, at(11, 10), unit=u1.id,  # late, unrated
         events=(("return", at(11, 6)), ("return", at(11, 7)), ("return", at(11, 9)), ("verify", at(11, 10, 8, 45))))
    case("c3", a.id, S.PATROL, at(11, 4), at(11, 20), CaseStatus.RECTIFYING, events=(("suspend", at(11, 15)),))
    case("c4", a.id, S.SNAPSHOT, at(11, 5), at(11, 25), CaseStatus.RECTIFYING)
    case("c5", a.id, S.HOTLINE, at(11, 6), at(11, 10), CaseStatus.REJECTED, at(11, 6, 10))
    case("c6", a.id, S.SNAPSHOT, at(10, 28), at(10, 30), closed, at(11, 2), (Satisfaction.UNSATISFIED, at(11, 3)),
         events=(("verify", at(11, 2, 8, 45)),))
    case("c7", a.id, S.PATROL, at(11, 9), at(11, 28), closed, at(12, 2))  # due in Nov, closed in Dec
    # Street B (西街)
    case("c8", b.id, S.ROAD_OFFICE, at(11, 9), at(11, 12), closed, at(11, 11), (Satisfaction.MOSTLY, at(11, 12)),
         unit=u2.id, events=(("verify", at(11, 11, 8, 45)),))
    session.flush()
    return World(a.id, b.id, cases)
