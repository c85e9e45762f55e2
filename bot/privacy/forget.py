"""Detaching a person from what we hold: a resident's 「删除我的信息」, a staff member leaving.

The user row stays as the pseudonym their cases and audit events point at (cases stay in the statistics,
audit events are append-only); everything that identifies them goes: their chat identities (openid /
WeCom userid), name, phone, console login, conversation state, WeChat reach records, the messages they
sent, and the notices still waiting for them.

A resident's photos: those of cases that are closed (or of no case: a draft) are erased at once; those
of open cases are kept until the case closes, because the rectification check compares the officer's
photo with the problem photo, and the daily retention run erases them then (kind photos_forgotten).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.privacy.erase import erase_photos, queue_file_removal
from models import (AuditEvent, Case, Conversation, Identity, InboxMessage, InviteCode, JobStatus, OutboxJob, Photo,
                    PhotoStatus, ResidentReach, Role, User)
from models.lifecycle import FINAL

log = logging.getLogger(__name__)

FORGOTTEN_ACTION = "reporter_forgotten"
ASKED = "举报人已申请删除个人信息: 身份已解除, 照片结案后删除"
SILENT = "举报人长期未联系, 身份已按保存期限 (CHENGGUAN_RETENTION_DAYS residents) 解除, 照片结案后删除"
CANCELLED = "已取消: 收件人的个人信息已删除"
ADDRESS_KEYS = ("to", "sender")  # where job payloads hold a chat id (messages to them, photos from them)
PHOTO_JOBS = ("photo.fetch", "rectify.check")  # a download (and check) of a photo sent in a chat


@dataclass
class Forgotten:
    cases: int = 0
    photos_erased: int = 0
    photos_kept_until_closed: int = 0
    notices_cancelled: int = 0
    open_cases_assigned: list[str] = field(default_factory=list)  # staff: cases still assigned to them


def forget_resident(session: Session, user: User, now: datetime, *, asked_by: str = "", reason: str = ASKED) -> Forgotten:
    """Detach the resident from their cases and erase their photos (see the module's rule).
    `asked_by`: the dedupe key of the message that asked; its inbox row stays, without sender and content,
    so a WeChat retry of it is answered from the inbox and registers nobody again. `reason`: for the cases'
    audit trails (asked, or silent past the retention limit)."""
    external_ids = _detach(session, user, now, name="")
    result = Forgotten(notices_cancelled=_cancel_jobs(session, external_ids, now))
    session.execute(delete(ResidentReach).where(ResidentReach.openid.in_(external_ids)))
    _scrub_inbox(session, external_ids, asked_by)
    cases = session.scalars(select(Case).where(Case.reporter_id == user.id).order_by(Case.id)).all()
    result.cases = len(cases)
    for case in cases:  # in each case's trail: the reporter is gone, by whom nobody can tell
        session.add(AuditEvent(case_id=case.id, actor_id=None, action=FORGOTTEN_ACTION, note=reason))
    photos = session.execute(
        select(Photo.id, Case.status).join(Case, Photo.case_id == Case.id, isouter=True)
        .where(Photo.uploaded_by == user.id, Photo.status.in_([PhotoStatus.STORED, PhotoStatus.PENDING]))
    ).all()
    now_ids = [photo_id for photo_id, status in photos if status is None or status in FINAL]
    result.photos_erased, result.photos_kept_until_closed = len(now_ids), len(photos) - len(now_ids)
    # an erased photo still downloading would be written by its job after this: the job is cancelled instead
    session.execute(update(OutboxJob).where(OutboxJob.kind.in_(PHOTO_JOBS), OutboxJob.status == JobStatus.PENDING,
                                            OutboxJob.payload["photo_id"].as_integer().in_(now_ids))
                    .values(status=JobStatus.DONE, done_at=now, payload={}, last_error=CANCELLED, locked_until=None)
                    .execution_options(synchronize_session=False))
    queue_file_removal(session, erase_photos(session, now_ids), key=f"privacy.forget:{user.id}")
    log.info("privacy: resident #%d had their information deleted: %d cases anonymised, %d photos erased, %d kept "
             "until their case closes, %d jobs cancelled", user.id, result.cases, result.photos_erased,
             result.photos_kept_until_closed, result.notices_cancelled)
    return result


class UnknownStaff(LookupError):
    pass


def remove_staff(session: Session, wecom_userid: str, now: datetime) -> tuple[User, Forgotten]:
    """A staff member leaves: unbound, signed out, named by a pseudonym in every audit trail."""
    user = session.scalars(select(User).join(Identity).where(
        Identity.channel == "work", Identity.external_id == wecom_userid, User.role != Role.RESIDENT)).one_or_none()
    if user is None:
        raise UnknownStaff(wecom_userid)
    external_ids = _detach(session, user, now, name=f"已离职人员{user.id}")
    session.execute(delete(InviteCode).where(InviteCode.user_id == user.id))
    result = Forgotten(notices_cancelled=_cancel_jobs(session, external_ids, now))
    result.open_cases_assigned = list(session.scalars(
        select(Case.number).where(Case.assignee_id == user.id, Case.status.not_in(FINAL)).order_by(Case.id)))
    log.info("privacy: staff #%d removed (now %s), %d open cases still assigned", user.id, user.name,
             len(result.open_cases_assigned))
    return user, result


def _detach(session: Session, user: User, now: datetime, *, name: str) -> list[str]:
    """Remove the user's identities, conversation state and personal fields; returns the chat ids they had."""
    identities = session.scalars(select(Identity).where(Identity.user_id == user.id)).all()
    for identity in identities:
        session.delete(identity)
        session.execute(delete(Conversation).where(Conversation.channel == identity.channel,
                                                   Conversation.external_id == identity.external_id)
                        .execution_options(synchronize_session="fetch"))
    external_ids = [identity.external_id for identity in identities]
    user.name, user.mobile, user.login, user.password_hash = name, None, None, None
    user.road, user.active, user.forgotten_at = "", False, now
    return external_ids


def _cancel_jobs(session: Session, external_ids: list[str], now: datetime) -> int:
    """Jobs for them or from them not yet done (or parked) are cancelled, and every such job, finished ones
    included, loses its payload (the chat id, the text) and its key (notice keys name the openid; nothing
    queues those jobs again, no identity is left). A photo still downloading or being checked may be one
    that is kept (an open case's): its job goes on, only no longer addressed to them. Returns how many
    were cancelled."""
    if not external_ids:
        return 0
    to_them = or_(*(OutboxJob.payload[key].as_string().in_(external_ids) for key in ADDRESS_KEYS),
                  *(OutboxJob.idempotency_key.contains(chat_id, autoescape=True) for chat_id in external_ids))
    unsent = OutboxJob.status.in_([JobStatus.PENDING, JobStatus.PARKED])
    running_photo_job = and_(unsent, OutboxJob.kind.in_(PHOTO_JOBS))
    for job in session.scalars(select(OutboxJob).where(running_photo_job, to_them)):
        job.payload = {**job.payload, "sender": ""}
    cancelled = session.execute(
        update(OutboxJob).where(unsent, to_them, ~running_photo_job)
        .values(status=JobStatus.DONE, done_at=now, last_error=CANCELLED, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(update(OutboxJob).where(to_them, ~running_photo_job).values(payload={}, idempotency_key=None)
                    .execution_options(synchronize_session=False))
    return int(cancelled.rowcount)  # type: ignore[attr-defined]


def _scrub_inbox(session: Session, external_ids: list[str], keep_key: str) -> None:
    session.execute(delete(InboxMessage).where(InboxMessage.sender.in_(external_ids), InboxMessage.dedupe_key != keep_key))
    session.execute(update(InboxMessage).where(InboxMessage.dedupe_key == keep_key).values(sender="", payload={}))
