"""vendor.push {case_id, action}: files an accepted case with a 数字城管 vendor platform, as its mapping
file says (bot/uplink/vendor/mapping.py), with the Open311 push's guarantees:

- Exactly once: the platform's case id is stored with the case (PlatformDelivery, target "vendor");
  a job that may have reached the platform before (a second attempt, the answer lost) first asks the
  platform for our case number and takes the id it finds instead of filing again.
- Photos go first as files (a platform on the 政务外网 cannot fetch our links); their ids are sent
  with the case. A file uploaded by an attempt whose case was not filed is only an orphan file.
- What no retry can fix (no coordinates, no grid cell, a category or street missing from the
  mapping, the platform's refusal) parks the job with one line saying what to do. A 5xx is retried,
  until this case has had PLATFORM_SERVER_ERROR_TRIES of them while the platform filed others
  (bot/uplink/server_errors.py, with the vendor's own health kept under its target).
- verify and close are the platform's own steps (its 核查/结案); they come back through vendor.poll
  (poll.py), so ours are not sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.redaction.links import NotRedactedYet
from bot.uplink.capabilities import current, record_success
from bot.uplink.client import PlatformRejected, PlatformUnavailable
from bot.uplink.connection import vendor_client
from bot.uplink.media import redacted_photos
from bot.uplink.scheduling import schedule_poll
from bot.uplink.server_errors import after_unavailable
from bot.uplink.vendor.client import VendorClient, dig
from bot.uplink.vendor.coords import platform_xy
from bot.uplink.vendor.mapping import VendorMapping, load_mapping
from bot.worker import JobContext, PermanentJobError, RetryLater
from models.base import utcnow
from models.calendar import TZ
from models.cases import Case
from models.geo import Point
from models.outbox import OutboxJob
from models.platform import PlatformDelivery
from models.streets import Street

KIND_VENDOR = "vendor.push"
KIND_VENDOR_POLL = "vendor.poll"  # its handler: poll.py
TARGET_VENDOR = "vendor"
MAX_PHOTOS = 3


@dataclass
class VendorPlan:
    case_id: int
    number: str
    fields: dict[str, Any]
    photos: list[tuple[str, bytes]] = field(default_factory=list)  # (name, redacted JPEG)
    look_first: bool = False
    last_success: datetime | None = None  # the platform's health as this job read it


def vendor_push(ctx: JobContext, payload: dict[str, Any]) -> None:
    if payload.get("action") != "accept":
        return  # the platform verifies and closes on its own; its close comes back through the poll
    mapping = load_mapping(ctx.service.config.platform.vendor_mapping)
    plan = _plan(ctx, mapping, payload)
    if plan is None:
        return
    ctx.session.commit()  # end the read: nothing is held while the platform answers
    client = vendor_client(ctx.service)
    try:
        case_id = _found(client, mapping, plan) if plan.look_first else None
        if case_id is None:
            photo_ids = [client.upload(name, content) for name, content in plan.photos]
            case_id = client.create({**plan.fields, mapping.fields["photos"]: photo_ids})
    except PlatformRejected as exc:
        raise PermanentJobError(str(exc)) from exc
    except PlatformUnavailable as exc:  # retried with back-off, unless only this case keeps crashing it
        after_unavailable(ctx, payload, exc, target=TARGET_VENDOR)
        raise
    record_success(ctx.service.sessions, plan.last_success, TARGET_VENDOR)
    ctx.session.add(PlatformDelivery(case_id=plan.case_id, target=TARGET_VENDOR, service_request_id=case_id,
                                     service_code=plan.fields[mapping.fields["sub_type"]], status_notes="",
                                     delivered_at=utcnow(), platform_status="open"))
    schedule_poll(ctx.session, ctx.service.config.platform.poll_minutes, kind=KIND_VENDOR_POLL)


def delivery(session: Session, case_id: int) -> PlatformDelivery | None:
    return session.scalar(select(PlatformDelivery).where(
        PlatformDelivery.case_id == case_id, PlatformDelivery.target == TARGET_VENDOR))


def _plan(ctx: JobContext, mapping: VendorMapping, payload: dict[str, Any]) -> VendorPlan | None:
    session = ctx.session
    case = session.get(Case, payload["case_id"])
    if case is None:
        raise PermanentJobError(f"案件 id={payload['case_id']} 不存在")
    if delivery(session, case.id) is not None:
        return None  # filed already (a step job of the case ran twice)
    job = session.get_one(OutboxJob, ctx.job_id)
    fields = case_fields(session, mapping, case, utcnow())
    try:  # only redacted copies leave the service (a government network platform included)
        photos = redacted_photos(session, ctx.service.config, case.id, MAX_PHOTOS)
    except NotRedactedYet as exc:  # bot.open311.read_links makes it within a minute
        raise RetryLater("照片脱敏中, 稍后上报", timedelta(seconds=30)) from exc
    return VendorPlan(case.id, case.number, fields, photos, look_first=job.attempts > 1,
                      last_success=current(session, TARGET_VENDOR).last_success_at)


def case_fields(session: Session, mapping: VendorMapping, case: Case, now: datetime) -> dict[str, Any]:
    """The case in the platform's field names and codes; PermanentJobError names what is missing."""
    codes = mapping.categories.get(case.category_code)
    if codes is None:
        raise PermanentJobError(f"分类 {case.category_code} 在平台映射 {mapping.name} 的 categories 中没有编码; "
                                "补上后运行 chengguan platform retry")
    if case.lat is None or case.lon is None:
        raise PermanentJobError(f"案件 {case.number} 没有坐标, 数字城管平台要求坐标; 补充位置后运行 chengguan platform retry")
    if not case.grid_code:
        raise PermanentJobError(f"案件 {case.number} 不在任何单元网格内; 先运行 chengguan grids import, "
                                "再运行 chengguan platform retry")
    street_code = session.scalar(select(Street.code).where(Street.id == case.street_id)) if case.street_id else None
    street = mapping.streets.get(street_code or "")
    if street is None:
        raise PermanentJobError(f"街道 {street_code or '(未定位)'} 在平台映射 {mapping.name} 的 streets 中没有编号; "
                                "补上后运行 chengguan platform retry")
    x, y = platform_xy(mapping, Point(case.lat, case.lon))
    names, constants = mapping.fields, mapping.constants
    return {
        names["case_no"]: case.number, names["source"]: constants["source"],
        names["kind"]: codes.kind, names["main_type"]: codes.main_type, names["sub_type"]: codes.sub_type,
        names["condition"]: codes.condition, names["time_limit_area"]: constants["time_limit_area"],
        names["district"]: constants["district"], names["street"]: street,
        names["community"]: case.community_code, names["grid"]: case.grid_code,
        names["x"]: x, names["y"]: y, names["address"]: case.address, names["description"]: case.description,
        names["reported_at"]: (case.created_at or now).astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _found(client: VendorClient, mapping: VendorMapping, plan: VendorPlan) -> str | None:
    for item in client.find(plan.number):
        if str(item.get(mapping.fields["case_no"])) == plan.number:
            found = dig(item, mapping.answers["item_id_field"])
            if found not in (None, ""):
                return str(found)
    return None
