"""What happens next when a case changes, queued in the same transaction as the change.

A before_flush listener on the service's session factory sees every new audit event, whoever wrote
it (a reviewer in the chat, the worker, the platform poller, a command), so no caller can forget to
tell the people who act next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cards.queue import queue_card
from bot.notices.queue import queue_notice
from bot.tasks.new_reports import queue_announcement
from handlers import catalog
from models import AuditEvent, Case, CaseSource, Identity, Photo, PhotoRole, PhotoStatus, Role, User
from models.calendar import TZ
from models.cards import CardStep
from models.public_text import public_reply
from models.outbox import enqueue
from models.users import CHANNEL_MP, CHANNEL_WORK


def install(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _react)


def _react(session: Session, _flush_context: Any, _instances: Any) -> None:
    for obj in list(session.new):
        if isinstance(obj, AuditEvent) and obj.action in REACTIONS:
            case = session.get(Case, obj.case_id)
            if case is not None:
                REACTIONS[obj.action](session, case, obj)


def _tell_reporter(kind: str) -> Callable[[Session, Case, AuditEvent], None]:
    """已受理 / 不予受理 / 已办结 (then the rating question) to the resident who reported the case. The
    channel is chosen when it is sent (bot.notices.deliver): WeChat's window may have closed by then."""

    def react(session: Session, case: Case, event: AuditEvent) -> None:
        if case.reporter_id is None:
            return
        reporter = session.get(User, case.reporter_id)
        if reporter is None or reporter.role != Role.RESIDENT:
            return
        for openid in _chat_ids(session, [case.reporter_id], CHANNEL_MP):
            # the public reply only: the note is internal
            queue_notice(session, kind, case, openid, reason=public_reply(event) if kind == "rejected" else "")

    return react


def _tell_unit_of_dispatch(session: Session, case: Case, event: AuditEvent) -> None:
    officers = session.scalars(
        select(User.id).where(User.unit_id == case.unit_id, User.role.in_([Role.OFFICER, Role.ROAD_CHIEF]), User.active)
    ).all()
    photo_id = session.scalar(
        select(Photo.id).where(Photo.case_id == case.id, Photo.role == PhotoRole.PROBLEM,
                               Photo.status != PhotoStatus.REJECTED).order_by(Photo.id).limit(1)
    )
    userids = _chat_ids(session, officers, CHANNEL_WORK)
    for userid in userids:
        if photo_id is not None:  # the officer should see the problem, and where to stand for the after photo
            enqueue(session, "notify.photo", {"channel": CHANNEL_WORK, "to": userid, "photo_id": photo_id},
                    key=f"dispatch-photo:{event.case_id}:{userid}:{case.version}")
    queue_card(session, CardStep.DISPATCH, case, userids)  # after the photo: 我来处理


def reviewer_chat_ids(session: Session, case: Case) -> list[str]:
    """WeCom ids of the reviewers who handle this case: its street's and the district's."""
    reviewers = session.scalars(
        select(User.id).where(User.role == Role.REVIEWER, User.active,
                              or_(User.street_id.is_(None), User.street_id == case.street_id))
    ).all()
    return _chat_ids(session, list(reviewers), CHANNEL_WORK)


def _tell_reviewers_of_submission(session: Session, case: Case, event: AuditEvent) -> None:
    queue_card(session, CardStep.REVIEW, case, reviewer_chat_ids(session, case))  # both photos, 通过 / 返工


def _tell_officer_of_rework(session: Session, case: Case, event: AuditEvent) -> None:
    if case.assignee_id is None:
        return
    text = f"案件 {case.number} 被退回返工 (第{case.rework_count}次): {event.note}。请整改后回复「整改 {case.number}」重新拍照。"
    for userid in _chat_ids(session, [case.assignee_id], CHANNEL_WORK):
        _send(session, CHANNEL_WORK, userid, text, f"returned:{case.id}:{case.rework_count}")


def _announce_to_reviewers(session: Session, case: Case, _event: AuditEvent) -> None:
    """A resident's new report: its street's reviewers hear of it within a minute (batched per street)."""
    if case.source == CaseSource.SNAPSHOT and case.street_id is not None:
        queue_announcement(session, case)


def _tell_of_duplicate(session: Session, case: Case, event: AuditEvent) -> None:
    """The reporter hears it is handled with the original (不予受理 with that reason); an officer who had it, to stop."""
    _tell_reporter("rejected")(session, case, event)
    if case.assignee_id is not None:
        text = f"案件 {case.number} 已作为重复案件关闭 ({event.note}), 无需再整改。"
        for userid in _chat_ids(session, [case.assignee_id], CHANNEL_WORK):
            _send(session, CHANNEL_WORK, userid, text, f"duplicate:{case.id}:{userid}")


def _ask_reviewers_to_suspend(session: Session, case: Case, event: AuditEvent) -> None:
    deadline = datetime.fromisoformat(event.data["deadline"]).astimezone(TZ)
    text = (f"案件 {case.number} 申请挂起/延期 {event.data['days']} 个工作日 (新时限 {deadline:%Y-%m-%d %H:%M}): "
            f"{event.note}。回复「批准挂起 {case.number}」或「驳回挂起 {case.number} 原因」。")
    for userid in reviewer_chat_ids(session, case):
        _send(session, CHANNEL_WORK, userid, text, f"suspend-asked:{case.id}:{userid}:{case.version}")


def _tell_suspension_requester(session: Session, case: Case, event: AuditEvent) -> None:
    asked = session.get(AuditEvent, event.data.get("request"))
    if asked is None or asked.actor_id is None:
        return
    if event.action == "suspend_approved":
        deadline = datetime.fromisoformat(event.data["deadline"]).astimezone(TZ)
        text = f"案件 {case.number} 的挂起/延期已批准, 新时限 {deadline:%Y-%m-%d %H:%M}。"
    else:
        text = f"案件 {case.number} 的挂起申请被驳回: {event.note}。请按原时限处置。"
    for userid in _chat_ids(session, [asked.actor_id], CHANNEL_WORK):
        _send(session, CHANNEL_WORK, userid, text, f"suspend-decided:{asked.id}:{userid}")


REACTIONS: dict[str, Callable[[Session, Case, AuditEvent], None]] = {
    "accept": _tell_reporter("accepted"),
    "reject": _tell_reporter("rejected"),
    "close": _tell_reporter("closed"),
    "dispatch": _tell_unit_of_dispatch,
    "submit": _tell_reviewers_of_submission,
    "resubmit": _tell_reviewers_of_submission,
    "return": _tell_officer_of_rework,
    "report": _announce_to_reviewers,
    "reassign": _tell_unit_of_dispatch,  # 改派: the new unit hears of it as on 派遣
    "duplicate": _tell_of_duplicate,
    "suspend_requested": _ask_reviewers_to_suspend,
    "suspend_approved": _tell_suspension_requester,
    "suspend_refused": _tell_suspension_requester,
}


def _chat_ids(session: Session, user_ids: list[int], channel: str) -> list[str]:
    if not user_ids:
        return []
    return list(session.scalars(
        select(Identity.external_id).where(Identity.user_id.in_(user_ids), Identity.channel == channel)
    ))


def _send(session: Session, channel: str, to: str, text: str, key: str) -> None:
    enqueue(session, "notify.text", {"channel": channel, "to": to, "text": text}, key=key)


def category_label(case: Case) -> str:
    return catalog.category_label(case.category_code)
