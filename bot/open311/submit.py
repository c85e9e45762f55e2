"""Cases filed with our GeoReport server (POST requests) and updates to them (POST
servicerequestupdates, the FixMyStreet extension our uplink also speaks).

Both are idempotent per API key: a request carrying attribute[external_id], or an update carrying
update_id, that was seen before answers with the first result instead of acting again.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import Open311Limits
from bot.open311.errors import Open311Error
from bot.open311.quota import count_case
from bot.open311.serialize import find_category
from bot.xmltext import xml_safe
from handlers.catalog import source_rules
from models.audit import AuditEvent
from models.base import utcnow
from models.cases import Case
from models.deadlines import due_at
from models.enums import CaseSource
from models.geo import Point, wgs84_to_gcj02
from models.numbering import next_case_number
from models.reporting import Place, where_fields
from models.platform import ApiKey, Open311Submission

SOURCE = CaseSource.HOTLINE  # cases from other systems arrive like 12345 hotline work orders


def create_request(session: Session, key: ApiKey, form: Mapping[str, str], limits: Open311Limits) -> dict[str, Any]:
    external_id = _text(form, "attribute[external_id]")[:100] or None
    if external_id:
        seen = _submission(session, key, "request", external_id)
        if seen is not None:
            return _receipt(session, key, seen)
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided; see services.json")
    category = find_category(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} was not found; see services.json")
    point = _point(form)
    address = _text(form, "address_string") or _text(form, "address_id")
    if point is None and not address:
        raise Open311Error(400, "a location is required: lat and long (WGS-84), or address_string")
    description = _text(form, "description")
    if len(description) > 4000:
        raise Open311Error(400, "description is longer than 4000 characters")
    now = utcnow()
    count_case(session, key, limits, now)  # after the checks: a refused form does not use the quota
    gcj = wgs84_to_gcj02(point) if point else None
    case = Case(
        number=next_case_number(session, now), source=SOURCE, category_code=category.key,
        description=description, lat=point.lat if point else None, lon=point.lon if point else None,
        gcj_lat=gcj.lat if gcj else None, gcj_lon=gcj.lon if gcj else None, address=address[:200],
        # Routed like a chat report, so the street's reviewers see it and dispatch can find its unit.
        **where_fields(session, Place(gcj=gcj, address=address)),
        deadline=due_at(SOURCE, category, now, source_rules()),
    )
    session.add(case)
    session.flush()
    media = (form.get("media_url") or "").strip()
    session.add(AuditEvent(case_id=case.id, action="report", to_status=case.status,
                           note=f"经 Open311 接口由 {key.name} 提交",
                           data={"open311_key": key.name, "external_id": external_id, "media_url": media or None}))
    submission = Open311Submission(api_key_id=key.id, kind="request", external_id=external_id,
                                   token=secrets.token_hex(16), case_id=case.id)
    return _receipt(session, key, _insert_once(session, submission))


def add_update(session: Session, key: ApiKey, form: Mapping[str, str]) -> dict[str, Any]:
    update_id = (form.get("update_id") or "").strip()[:100]
    number = (form.get("service_request_id") or "").strip()
    if not update_id or not number:
        raise Open311Error(400, "service_request_id and update_id are required")
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise Open311Error(404, f"service_request_id {number} was not found")
    seen = _submission(session, key, "update", update_id)
    if seen is None:
        session.add(AuditEvent(
            case_id=case.id, action="open311_update", from_status=case.status, to_status=case.status,
            note=_text(form, "description")[:4000],
            data={"open311_key": key.name, "update_id": update_id, "status": form.get("status"),
                  "media_url": form.get("media_url") or None, "updated_datetime": form.get("updated_datetime")},
        ))
        seen = _insert_once(session, Open311Submission(api_key_id=key.id, kind="update", external_id=update_id,
                                                       case_id=case.id))
    return {"update_id": str(seen.id)}


def _text(form: Mapping[str, str], name: str) -> str:
    """A form field as text every format can carry (see bot.xmltext)."""
    return xml_safe(form.get(name) or "").strip()


def _point(form: Mapping[str, str]) -> Point | None:
    lat, lon = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    if not lat and not lon:
        return None
    if not lat or not lon:
        raise Open311Error(400, "lat and long must be sent together")
    try:
        return Point.parse(lat, lon)
    except ValueError:
        raise Open311Error(400, f"lat/long {lat},{lon} are not WGS-84 degrees") from None


def _submission(session: Session, key: ApiKey, kind: str, external_id: str) -> Open311Submission | None:
    return session.scalar(select(Open311Submission).where(
        Open311Submission.api_key_id == key.id, Open311Submission.kind == kind,
        Open311Submission.external_id == external_id))


def _insert_once(session: Session, submission: Open311Submission) -> Open311Submission:
    """Insert, or when a concurrent retry of the same submission won the race, raise so the
    caller's transaction (and the duplicate case) is rolled back and the client retries."""
    try:
        with session.begin_nested():
            session.add(submission)
    except IntegrityError:
        raise Open311Error(409, "the same submission is being processed; retry shortly", code=409) from None
    return submission


def _receipt(session: Session, key: ApiKey, submission: Open311Submission) -> dict[str, Any]:
    if key.batch:
        return {"token": submission.token}
    number = session.scalar(select(Case.number).where(Case.id == submission.case_id))
    return {"service_request_id": number, "service_notice": "已受理登记, 将按时限处置", "account_id": None}
