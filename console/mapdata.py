"""The map's data as GeoJSON: street polygons and open cases, only inside the signed-in user's scope
(the same scope_clause as the queue), bounded in size."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.queue import is_overdue, visible_streets
from handlers.cases import scope_clause
from handlers.catalog import category_label
from models import Case, Street, User
from models.lifecycle import FINAL

MAX_CASES = 5000  # the newest open cases; a district has far fewer open at once


def _street(street: Street) -> dict[str, Any]:
    return {"type": "Feature", "geometry": street.polygon,
            "properties": {"kind": "street", "code": street.code, "name": street.name}}


def _case(case: Case, now: datetime) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [case.lon, case.lat]},
            "properties": {"kind": "case", "number": case.number, "status": case.status.value,
                           "status_label": case.status.label, "category": category_label(case.category_code),
                           "overdue": is_overdue(case, now),
                           "url": url_for("console.case_page", number=case.number)}}


def open_cases(db: Session, user: User, now: datetime) -> dict[str, Any]:
    """Every street the user may see, and the open cases with a location in the user's scope."""
    cases = db.scalars(
        select(Case).where(scope_clause(user), Case.status.not_in(list(FINAL)), Case.lat.is_not(None),
                           Case.lon.is_not(None)).order_by(Case.id.desc()).limit(MAX_CASES)
    ).all()
    features = [_street(s) for s in visible_streets(db, user, polygons=True)] + [_case(c, now) for c in cases]
    return {"type": "FeatureCollection", "features": features}


def one_case(db: Session, case: Case, now: datetime) -> dict[str, Any]:
    """The case page's small map: the case's point and its street's polygon."""
    street = db.get(Street, case.street_id) if case.street_id else None
    features = ([_street(street)] if street else []) + ([_case(case, now)] if case.lat is not None and case.lon is not None else [])
    return {"type": "FeatureCollection", "features": features}
