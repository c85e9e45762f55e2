"""Opening a case: number, deadline from the category and source rules, street, and the first audit event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.audit import AuditEvent
from models.cases import Case
from models.categories import Category
from models.deadlines import SourceRules, due_at
from models.enums import CaseSource, CaseStatus
from models.geo import Point, StreetLocator, gcj02_to_wgs84
from models.grids import locate_grid
from models.numbering import next_case_number
from models.photos import Photo
from models.streets import GridCell, Street
from models.users import User


@dataclass(frozen=True)
class Place:
    """Where the problem is: a GCJ-02 point from a phone, and/or a typed address."""

    gcj: Point | None = None
    address: str = ""


def locate_street(session: Session, place: Place) -> int | None:
    """The street whose polygon holds the point; for a typed address, a street named in it."""
    streets = session.scalars(select(Street)).all()
    if place.gcj is not None:
        return StreetLocator((s.id, s.polygon) for s in streets).locate(gcj02_to_wgs84(place.gcj))
    named = [s for s in streets if s.name and s.name in place.address]
    return named[0].id if len(named) == 1 else None


def locate_grid_cell(session: Session, place: Place) -> GridCell | None:
    """The 单元网格 holding the phone's point (a typed address names no cell)."""
    if place.gcj is None:
        return None
    cells = {cell.code: cell for cell in session.scalars(select(GridCell))}
    found = locate_grid([(code, cell.polygon) for code, cell in cells.items()], gcj02_to_wgs84(place.gcj))
    return cells[found] if found else None


def where_fields(session: Session, place: Place) -> dict[str, Any]:
    """The case's street, 单元网格 and 社区 for a place, as Case column values."""
    cell = locate_grid_cell(session, place)
    return {"street_id": locate_street(session, place), "grid_code": cell.code if cell else "",
            "community_code": cell.community_code if cell else ""}


def open_case(
    session: Session, *, source: CaseSource, category: Category, description: str, place: Place,
    reporter: User | None, photo_ids: Sequence[int] = (), now: datetime, rules: SourceRules | None = None,
) -> Case:
    wgs = gcj02_to_wgs84(place.gcj) if place.gcj else None
    case = Case(
        number=next_case_number(session, now),
        source=source,
        category_code=category.key,
        description=description,
        lat=wgs.lat if wgs else None,
        lon=wgs.lon if wgs else None,
        gcj_lat=place.gcj.lat if place.gcj else None,
        gcj_lon=place.gcj.lon if place.gcj else None,
        address=place.address[:200],
        **where_fields(session, place),
        reporter_id=reporter.id if reporter else None,
        deadline=due_at(source, category, now, rules),
        status=CaseStatus.REPORTED,
    )
    session.add(case)
    session.flush()
    session.add(AuditEvent(
        case_id=case.id, actor_id=case.reporter_id, action="report", to_status=CaseStatus.REPORTED,
        data={"source": source.value, "photos": list(photo_ids)},
    ))
    if photo_ids:
        session.execute(
            update(Photo).where(Photo.id.in_(photo_ids), Photo.case_id.is_(None)).values(case_id=case.id)
        )
    return case
