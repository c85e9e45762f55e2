"""A synthetic district in a temporary SQLite database, written with bulk inserts: streets, officers with
WeCom ids, one robot group per street, cases over three months with their verify/return events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models import AuditEvent, Case, CaseSource, CaseStatus, GroupChat, Identity, Role, Satisfaction, Street, User
from models.calendar import TZ

SQUARE = {"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.31, 39.9], [116.31, 39.91], [116.3, 39.9]]]}
START = datetime(2026, 9, 1, tzinfo=TZ)
END = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)
CATEGORIES = ("E0101", "E0102", "E0103", "E0104", "E0201", "E0501", "E0502", "C0101")


def populate(session: Session, cases: int, streets: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    session.execute(insert(Street), [{"id": i, "code": f"JD{i:02d}", "name": f"第{i}街道", "polygon": SQUARE}
                                     for i in range(1, streets + 1)])
    officers = [{"id": i, "name": f"队员{i}", "role": Role.OFFICER, "street_id": (i - 1) % streets + 1,
                 "mobile": f"138{i:08d}", "road": "", "active": True, "created_at": START} for i in range(1, 4 * streets + 1)]
    session.execute(insert(User), officers)
    session.execute(insert(Identity), [{"user_id": o["id"], "channel": "work", "external_id": f"wx{o['id']}",
                                        "created_at": START} for o in officers if o["id"] % 4])  # 3 in 4 bound
    session.execute(insert(GroupChat), [{"name": f"第{i}街道群", "kind": "robot", "street_id": i, "district": False,
                                         "active": True, "recent_sends": [], "created_at": START,
                                         "target": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=bench{i}"}
                                        for i in range(1, streets + 1)])
    rows, events = [], []
    span = (END - START).total_seconds()
    for n in range(1, cases + 1):
        street = rng.randrange(1, streets + 1)
        created = START + timedelta(seconds=rng.random() * span)
        deadline = created + timedelta(hours=rng.choice((4, 8, 24, 72, 240)))
        status, closed, rating, rated = _fate(rng, created, deadline)
        returns = rng.choice((0,) * 8 + (1, 3)) if status in (CaseStatus.CLOSED, CaseStatus.RETURNED) else 0
        rows.append({"id": n, "number": f"B{n:09d}", "source": rng.choice(list(CaseSource)), "status": status,
                     "category_code": rng.choice(CATEGORIES), "description": "", "address": f"第{street}街道某路",
                     "street_id": street, "assignee_id": (street - 1) + streets * rng.randrange(4) + 1,
                     "deadline": deadline, "created_at": created, "updated_at": created, "closed_at": closed,
                     "satisfaction": rating, "rated_at": rated, "rework_count": returns, "version": 1})
        for r in range(returns):
            events.append({"case_id": n, "action": "return", "note": "", "data": {},
                           "created_at": created + timedelta(hours=2 + r)})
        if closed is not None:
            events.append({"case_id": n, "action": "verify", "note": "", "data": {}, "created_at": closed - timedelta(minutes=5)})
    for chunk in range(0, len(rows), 10_000):
        session.execute(insert(Case), rows[chunk:chunk + 10_000])
    for chunk in range(0, len(events), 20_000):
        session.execute(insert(AuditEvent), events[chunk:chunk + 20_000])


def _fate(rng: random.Random, created: datetime, deadline: datetime):  # type: ignore[no-untyped-def]
    roll = rng.random()
    if roll < 0.7 and created < END - timedelta(days=1):
        closed = min(created + (deadline - created) * rng.uniform(0.3, 1.4), END)
        rating = rng.choice((Satisfaction.SATISFIED, Satisfaction.MOSTLY, Satisfaction.UNSATISFIED, None))
        return CaseStatus.CLOSED, closed, rating, (closed + timedelta(days=1)) if rating else None
    if roll < 0.75:
        return CaseStatus.RETURNED, None, None, None
    return rng.choice((CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.SUBMITTED)), None, None, None
