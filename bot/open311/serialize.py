"""Our categories as GeoReport services, and our cases as GeoReport service requests."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.open311.formats import w3
from bot.redaction.links import PRIVATE, live_tokens, url_of
from bot.redaction.place import snap
from bot.redaction.text import mask_personal_numbers
from bot.uplink.media import passed_check
from models.base import utcnow
from models.cases import Case
from models.categories import Category, CategoryTable
from models.enums import PhotoRole
from models.photos import Photo
from models.streets import Street


LINKED_ROLES = (PhotoRole.RECTIFICATION, PhotoRole.PROBLEM)


@lru_cache(maxsize=1)
def category_table() -> CategoryTable:
    return CategoryTable.load()


def find_category(code: str) -> Category | None:
    try:
        return category_table().get(code)
    except KeyError:
        return None


def service_item(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.key,
        "service_name": category.minor,
        "description": f"{category.kind.label} {category.label}, 处置时限 {category.limit.label}",
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(category.keywords),
        "group": category.major,
    }


def request_items(session: Session, config: Config, cases: Sequence[Case], audience: str = PRIVATE) -> list[dict[str, Any]]:
    """Cases as service requests, shaped for the audience (bot.open311.readers). Photo links start at
    CHENGGUAN_PUBLIC_URL, or are relative (/media/…) without it: never the request's Host header."""
    streets = _street_names(session, {c.street_id for c in cases if c.street_id})
    photos = _first_sendable_photos(session, [c.id for c in cases])
    tokens = live_tokens(session, photos.values(), audience, utcnow())
    items = [_request_item(c, streets, url_of(config, tokens[p]) if (p := photos.get(c.id)) in tokens else None)
             for c in cases]
    return items if audience == PRIVATE else [_for_the_public(item) for item in items]


def _request_item(case: Case, streets: dict[int, str], media_url: str | None) -> dict[str, Any]:
    category = find_category(case.category_code)
    return {
        "service_request_id": case.number,
        "status": "closed" if case.is_final else "open",
        # The status's own label, never a note staff wrote: a reason like 「举报人…系恶意举报」 is internal.
        "status_notes": case.status.label,
        "service_name": category.minor if category else None,
        "service_code": case.category_code,
        "description": (case.description or "")[:4000],
        "agency_responsible": streets.get(case.street_id) if case.street_id else None,
        "service_notice": None,
        "requested_datetime": w3(case.created_at),
        "updated_datetime": w3(case.updated_at),
        "expected_datetime": w3(case.deadline),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": media_url,
    }


def _for_the_public(item: dict[str, Any]) -> dict[str, Any]:
    """Personal numbers masked in the resident's words, the place snapped to a ~50 m cell. The item
    carries no identity to begin with (no openid, name or account), and only redacted photo links."""
    for field in ("description", "address"):
        if item[field]:
            item[field] = mask_personal_numbers(item[field])
    if item["lat"] is not None and item["long"] is not None:
        item["lat"], item["long"] = snap(item["lat"], item["long"])
    return item


def _first_sendable_photos(session: Session, case_ids: list[int]) -> dict[int, int]:
    """Per case, its first photo that passed (problem or rectification, by id). One query for the
    whole listing: a query per case cost a 1,000-case listing 1,000 round trips."""
    if not case_ids:
        return {}
    first: dict[int, int] = {}
    for photo in session.scalars(select(Photo).where(Photo.case_id.in_(case_ids), Photo.role.in_(LINKED_ROLES))
                                 .order_by(Photo.id)):
        if photo.case_id is not None and photo.case_id not in first and passed_check(photo):
            first[photo.case_id] = photo.id
    return first


def _street_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Street.id, Street.name).where(Street.id.in_(ids))).all())
