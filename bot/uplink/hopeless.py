"""Parked uplink jobs that no retry can help, and why: `platform retry` says so instead of queueing them
again, and `platform stuck` leaves out those whose case the platform itself has since closed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.uplink.hooks import KIND_OPEN311, ORIGIN_PLATFORM
from bot.uplink.services import service_code_for
from models.audit import AuditEvent
from models.cases import Case
from models.outbox import OutboxJob
from models.platform import TARGET_OPEN311, PlatformDelivery


def closed_by_platform(session: Session, case_ids: Iterable[int]) -> set[int]:
    """Cases closed (结案) by a platform status poll: nothing we could still send them changes anything."""
    ids = {i for i in case_ids if isinstance(i, int)}
    if not ids:
        return set()
    rows = session.execute(select(AuditEvent.case_id, AuditEvent.data).join(Case, Case.id == AuditEvent.case_id)
                           .where(AuditEvent.case_id.in_(ids), AuditEvent.action == "close",
                                  AuditEvent.actor_id.is_(None), Case.status == AuditEvent.to_status)).all()
    return {case_id for case_id, data in rows if (data or {}).get("origin") == ORIGIN_PLATFORM}


def why_hopeless(session: Session, job: OutboxJob, closed: set[int]) -> str | None:
    """Why sending this parked job again cannot succeed (as things stand), or None when a retry may."""
    case = session.get(Case, job.payload.get("case_id")) if isinstance(job.payload.get("case_id"), int) else None
    if case is None:
        return "案件已不存在" if "case_id" in job.payload else None
    if case.id in closed:
        return "平台已结案 (由状态查询同步), 无需再发"
    if job.kind != KIND_OPEN311 or _filed(session, case.id):
        return None
    if case.lat is None and not case.address:
        return f"案件 {case.number} 没有位置 (坐标和地址都为空); 先补充地址"
    if service_code_for(session, case.category_code) is None:
        return (f"分类 {case.category_code} 没有对应的平台服务代码; "
                f"先运行 chengguan platform map {case.category_code} <平台服务代码>")
    return None


def _filed(session: Session, case_id: int) -> bool:
    return session.scalar(select(PlatformDelivery.id).where(
        PlatformDelivery.case_id == case_id, PlatformDelivery.target == TARGET_OPEN311)) is not None
