"""What the case page shows: the case (only inside the user's scope), its photos, verdicts and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.case_changes import duplicates_of
from handlers.cases import may_act_on
from handlers.suspension import pending_request
from models import AuditEvent, Case, Photo, PhotoRole, PhotoStatus, Street, Unit, User
from models.lifecycle import STEPS

ACTION_LABELS = {step.action: step.label for step in STEPS} | {
    "report": "上报", "return": "返工", "reassign": "改派", "recategorize": "改类", "relocate": "改位置",
    "duplicate_linked": "关联重复案件", "suspend_requested": "申请挂起", "suspend_approved": "批准挂起",
    "suspend_refused": "驳回挂起",
}


@dataclass
class TimelineEntry:
    event: AuditEvent
    actor: str
    label: str


@dataclass
class CaseView:
    case: Case
    street: str
    unit: str
    problem: list[Photo]
    rectification: list[Photo]
    timeline: list[TimelineEntry]
    duplicate_of: str  # the original's number when this case was closed as its duplicate
    duplicates: list[str]  # cases closed as duplicates of this one
    pending_suspension: AuditEvent | None


def case_for(db: Session, user: User, number: str) -> Case | None:
    """The case when it exists and the user may act on it; None for both "no such case" and "not yours",
    so a URL tells nobody whether another street's case exists."""
    case = db.scalars(select(Case).where(Case.number == number.strip()[:20])).one_or_none()
    return case if case is not None and may_act_on(user, case) else None


def photo_for(db: Session, user: User, photo_id: int) -> Photo | None:
    photo = db.get(Photo, photo_id)
    if photo is None or photo.case_id is None or photo.status != PhotoStatus.STORED:
        return None
    case = db.get(Case, photo.case_id)
    return photo if case is not None and may_act_on(user, case) else None


def problem_photo_of(db: Session, case_id: int) -> Photo | None:
    """The case's first stored problem photo: the frame the aligned view is drawn in."""
    return db.scalars(select(Photo).where(Photo.case_id == case_id, Photo.role == PhotoRole.PROBLEM,
                                          Photo.status == PhotoStatus.STORED).order_by(Photo.id).limit(1)).first()


def view(db: Session, case: Case) -> CaseView:
    photos = db.scalars(
        select(Photo).where(Photo.case_id == case.id, Photo.status == PhotoStatus.STORED).order_by(Photo.id)
    ).all()
    rows = db.execute(
        select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
    ).all()
    street = db.get(Street, case.street_id) if case.street_id else None
    unit = db.get(Unit, case.unit_id) if case.unit_id else None
    return CaseView(
        case=case,
        street=street.name if street else "",
        unit=unit.name if unit else "",
        problem=[p for p in photos if p.role == PhotoRole.PROBLEM],
        rectification=[p for p in photos if p.role == PhotoRole.RECTIFICATION][::-1],  # newest first
        timeline=[TimelineEntry(e, _who(actor), ACTION_LABELS.get(e.action, e.action)) for e, actor in rows],
        duplicate_of=db.scalar(select(Case.number).where(Case.id == case.duplicate_of_id)) or "" if case.duplicate_of_id else "",
        duplicates=duplicates_of(db, case),
        pending_suspension=pending_request(db, case),
    )


def _who(actor: User | None) -> str:
    if actor is None:
        return "系统"
    return actor.name or actor.role.label  # a resident who reported through the Official Account has no name


def verdict_lines(photo: Photo) -> tuple[str, list[str]]:
    """photocheck's verdict in words: a headline and one line per reason (with how to retake)."""
    result: dict[str, Any] = photo.check_result or {}
    if not result:
        return "未核验", []
    reasons = [f"{r.get('message_zh', '')} {r.get('fix_zh', '')}".strip() for r in result.get("reasons", [])]
    pair = result.get("pair") or {}
    scores = []
    if "same_angle_score" in pair:
        scores.append(f"角度相似度 {pair['same_angle_score']:.2f}")
    if "copy_score" in pair:
        at_most = "≤ " if pair.get("copy_score_is_bound") else ""
        scores.append(f"翻拍/复用可能性 {at_most}{pair['copy_score']:.2f}")
    headline = ("核验通过" if result.get("ok") else "核验未通过") + (f" ({', '.join(scores)})" if scores else "")
    return headline, reasons
