"""What we tell the platform about a case step: the text, the location, the photo links.

The description ends with the line "案件编号: <number>": it is how a retry recognises a request
that an interrupted earlier attempt already filed (GeoReport has no idempotency header).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.open311.serialize import find_category
from bot.uplink.media import media_url, sendable_photos
from models.audit import AuditEvent
from models.cases import Case
from models.enums import PhotoRole

MARKER = "案件编号: "
STEP_PHOTOS = {"accept": (PhotoRole.PROBLEM,), "verify": (PhotoRole.RECTIFICATION,), "close": ()}


class MissingLocation(ValueError):
    pass


def marker(case: Case) -> str:
    return f"{MARKER}{case.number}"


def photo_urls(session: Session, config: Config, case: Case, action: str) -> list[str]:
    return [media_url(config, p.id) for p in sendable_photos(session, case.id, STEP_PHOTOS.get(action, ()))]


def step_note(session: Session, case: Case, action: str) -> str:
    """The note the person wrote when taking this step (the latest one, after a rework)."""
    note = session.scalar(
        select(AuditEvent.note).where(AuditEvent.case_id == case.id, AuditEvent.action == action)
        .order_by(AuditEvent.id.desc()).limit(1)
    )
    return note or ""


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


def update_text(case: Case, action: str, note: str, urls: list[str]) -> str:
    head = {"verify": "整改完成, 已核查通过", "close": "已结案"}.get(action, action)
    lines = [f"{head}: {note}" if note else head, *(f"整改照片: {url}" for url in urls), marker(case)]
    return _clip("\n".join(lines), marker(case))


def _clip(text: str, keep_last: str, limit: int = 4000) -> str:
    """At most `limit` characters (the spec's bound), always keeping the case marker at the end."""
    if len(text) <= limit:
        return text
    return text[: limit - len(keep_last) - 2] + "…\n" + keep_last
