"""What the assessment needs to know about each case, loaded in two set-based queries (no ORM objects,
so 100,000 cases fit in memory and in seconds)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.audit import AuditEvent
from models.cases import Case
from models.enums import CaseSource, CaseStatus, Satisfaction

# Audit actions the assessment reads. 挂起/延期 counts once a reviewer approved it ("suspend_approved",
# handlers/suspension.py); "suspend" is the older name, still read for events recorded by hand.
ACTIONS = ("verify", "return", "suspend", "suspend_approved")
_FACT_LIST = {"verify": "verified", "return": "returned", "suspend": "suspended", "suspend_approved": "suspended"}


@dataclass(slots=True)
class CaseFacts:
    id: int
    number: str
    source: CaseSource
    category_code: str
    street_id: int | None
    unit_id: int | None
    assignee_id: int | None
    status: CaseStatus
    created_at: datetime
    deadline: datetime | None
    closed_at: datetime | None
    satisfaction: Satisfaction | None
    rated_at: datetime | None
    address: str = ""
    description: str = ""
    verified: list[datetime] = field(default_factory=list)   # 核查通过 events
    returned: list[datetime] = field(default_factory=list)   # 返工 events (failed 核查)
    suspended: list[datetime] = field(default_factory=list)  # approved 挂起/延期 ("suspend_approved")

    @property
    def due(self) -> datetime:
        """When it must be done: its deadline, or (no deadline) the moment it was reported."""
        return self.deadline or self.created_at


def load_facts(session: Session, start: datetime, end: datetime) -> list[CaseFacts]:
    """Every case that matters to an assessment of [start, end): reported, due, closed or rated in
    it, or verified / returned / suspended in it; with their audit facts up to `end`."""
    in_range = lambda column: column.between(start, end)  # noqa: E731 - a local shorthand
    touched = select(AuditEvent.case_id).where(AuditEvent.action.in_(ACTIONS), in_range(AuditEvent.created_at))
    columns = (Case.id, Case.number, Case.source, Case.category_code, Case.street_id, Case.unit_id,
               Case.assignee_id, Case.status, Case.created_at, Case.deadline, Case.closed_at,
               Case.satisfaction, Case.rated_at, Case.address, Case.description)
    rows = session.execute(select(*columns).where(or_(
        in_range(Case.created_at), in_range(Case.deadline), in_range(Case.closed_at),
        in_range(Case.rated_at), Case.id.in_(touched),
    )).order_by(Case.id)).all()
    facts = {row.id: CaseFacts(*row) for row in rows}
    events: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for case_id, action, at in session.execute(
        select(AuditEvent.case_id, AuditEvent.action, AuditEvent.created_at)
        .where(AuditEvent.action.in_(ACTIONS), AuditEvent.created_at < end)
    ):
        if case_id in facts:
            events[case_id].append((action, at))
    for case_id, items in events.items():
        fact = facts[case_id]
        for action, at in items:
            getattr(fact, _FACT_LIST[action]).append(at)
    return list(facts.values())
