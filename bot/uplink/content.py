"""What we tell the platform about a case step: the text, the location, the photo links.

The description ends with the line "案件编号: <number>": it is how a retry recognises a request
that an interrupted earlier attempt already filed (GeoReport has no idempotency header).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.open311.serialize import find_category
from bot.redaction.links import NotRedactedYet
from bot.uplink.media import photo_url, sendable_photos
from bot.worker import RetryLater
from models.audit import AuditEvent
from models.cases import Case
from models.enums import PhotoRole
from models.photos import Photo
from models.public_text import public_text

MARKER = "案件编号: "
STEP_PHOTOS = {"accept": (PhotoRole.PROBLEM,), "verify": (PhotoRole.RECTIFICATION,), "close": ()}


class MissingLocation(ValueError):
    pass


def marker(case: Case) -> str:
    return f"{MARKER}{case.number}"


def photo_urls(session: Session, config: Config, case: Case, action: str,
               photos: Sequence[Photo] | None = None) -> list[str]:
    """Links to the redacted copies (no EXIF, faces and plates blurred), the same link on every retry.
    `photos`: the case's sendable photos for the step, when a batch read them already."""
    if photos is None:
        photos = sendable_photos(session, case.id, STEP_PHOTOS.get(action, ()))
    try:
        return [url for p in photos if (url := photo_url(session, config, p)) is not None]
    except NotRedactedYet as exc:  # made within a minute by bot.open311.read_links; never sent unredacted
        raise RetryLater("照片脱敏中, 稍后上报", timedelta(seconds=30)) from exc


def step_text(session: Session, case: Case, action: str) -> str:
    """What the public may read about this step (the latest one, after a rework): the reviewer's
    reply marked public, or the status's fixed text; never the note staff wrote (models.public_text)."""
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == action)
        .order_by(AuditEvent.id.desc()).limit(1)
    )
    if event is None or event.to_status is None:
        return ""
    return public_text(event.to_status, event)


def request_fields(case: Case, service_code: str, urls: list[str], *, with_address: bool = False) -> dict[str, str]:
    """The form fields of POST requests for a newly accepted case. `with_address`: the typed address goes
    in `address` too, for platforms that read that field and ignore the spec's `address_string`."""
    fields = {"service_code": service_code, "attribute[external_id]": case.number}
    if case.lat is not None and case.lon is not None:
        fields["lat"], fields["long"] = f"{case.lat:.7f}", f"{case.lon:.7f}"
    if case.address:
        fields["address_string"] = case.address
        if with_address:
            fields["address"] = case.address
    if "lat" not in fields and "address_string" not in fields:
        raise MissingLocation(f"案件 {case.number} 没有位置 (坐标和地址都为空); 补充地址后运行 chengguan platform retry")
    if urls:
        fields["media_url"] = urls[0]
    category = find_category(case.category_code)
    lines = [
        category.label if category else case.category_code,
        case.description.strip(),
        f"地址: {case.address}" if case.address else "",
        f"来源: {case.source.label}",
        *(f"照片: {url}" for url in urls[1:]),
        marker(case),
    ]
    fields["description"] = _clip("\n".join(line for line in lines if line), marker(case))
    return fields


def update_text(case: Case, action: str, said: str, urls: list[str]) -> str:
    lines = [said or action, *(f"整改照片: {url}" for url in urls), marker(case)]
    return _clip("\n".join(lines), marker(case))


def _clip(text: str, keep_last: str, limit: int = 4000) -> str:
    """At most `limit` characters (the spec's bound), always keeping the case marker at the end."""
    if len(text) <= limit:
        return text
    return text[: limit - len(keep_last) - 2] + "…\n" + keep_last
