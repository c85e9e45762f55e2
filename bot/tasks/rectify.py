"""rectify.check: fetch a rectification photo and check it against the case's problem photo before
anything reaches the platform: an original, fresh shot, from the same angle. The verdict goes back
to the officer in plain Chinese within seconds; a passing photo submits the case for review."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import analysis, photostore
from bot.metrics import CHECK_SECONDS
from bot.photostore import PhotoStore
from bot.tasks.photos import Received, pending_photo, receive, reject, store, waits_for_store
from bot.reactions import reviewer_chat_ids
from bot.worker import JobContext, RetryLater
from handlers.rectify import submit_checked_rectification
from models import AuditEvent, Case, Conversation, Photo, PhotoFeatures, PhotoRole, PhotoStatus
from models.photo_index import similar_photos
from models.users import CHANNEL_WORK
from photocheck import ImageRejected, Thresholds, Verdict

log = logging.getLogger(__name__)

UNUSABLE = "问题照片不可用，请审核员处理"
PROBLEM_PHOTO_WAIT = timedelta(seconds=10)


@waits_for_store
def check_rectification_photo(ctx: JobContext, payload: dict[str, Any]) -> None:
    received = receive(ctx, payload)  # before any database access: no transaction held
    photo = pending_photo(ctx, payload)
    if photo is None or photo.case_id is None:
        return
    if received.refusal is not None:
        reject(ctx, photo, payload, *received.refusal)
        return
    case = ctx.session.get_one(Case, photo.case_id)
    try:
        check = _gather(ctx, case, received)
    except ProblemPhotoUnusable:
        _hand_to_reviewers(ctx, payload, case, photo, received)
        return
    ctx.session.commit()  # nothing written yet: let webhooks write while the (CPU-heavy) check runs
    started = time.perf_counter()
    verdict = check.run()
    # Kept with the verdict (not in this process's memory): /metrics, served by any web host, reads it
    # from the database as chengguan_photocheck_seconds.
    seconds = round(time.perf_counter() - started, 4)
    store(ctx, photo, received)
    photo.check_result = {**verdict.to_dict(), CHECK_SECONDS: seconds}
    if verdict.ok:
        submitted = submit_checked_rectification(ctx.session, case, photo)
        _finish_conversation(ctx, payload)
        text = f"案件 {case.number} 整改照片核验通过 (原图、角度一致)。" + ("已提交审核。" if submitted else "等待受理后提交审核。")
    else:
        _keep_waiting_for_photo(ctx, payload)
        problems = "; ".join(f"{r.message_zh}, {r.fix_zh}" for r in verdict.reasons)
        text = f"案件 {case.number} 整改照片未通过核验: {problems}。照片未提交, 请重新拍摄后直接发送。"
    ctx.enqueue_text(payload["channel"], payload["sender"], text, key=f"rectify.verdict:{photo.id}")


def _gather(ctx: JobContext, case: Case, received: Received) -> PendingCheck:
    """Read everything the check needs from the database; the check itself touches none."""
    session, store = ctx.session, photostore.store_for(ctx.service.config)
    problem = session.scalars(
        select(Photo).where(Photo.case_id == case.id, Photo.role == PhotoRole.PROBLEM, Photo.status == PhotoStatus.STORED)
        .order_by(Photo.id)
    ).first()
    if problem is None or problem.storage_path is None:
        _no_stored_problem_photo(session, case)
    thresholds = Thresholds.from_dict(ctx.service.config.photocheck_thresholds)
    problem_ids = session.scalars(select(Photo.id).where(Photo.case_id == case.id, Photo.role == PhotoRole.PROBLEM))
    assert received.fingerprint is not None
    # The problem photo itself is judged by the pair check (robust to a genuine re-shoot of a static
    # scene); the index finds candidate copies of any other photo, confirmed pixel by pixel.
    earlier = similar_photos(session, received.fingerprint, thresholds.reuse_candidate_radius, exclude=problem_ids)
    rows = session.execute(select(Photo.id, Photo.storage_path).where(Photo.id.in_([i for i, _ in earlier])))
    paths = {photo_id: path for photo_id, path in rows}
    dispatched = session.scalar(
        select(AuditEvent.created_at).where(AuditEvent.case_id == case.id, AuditEvent.action == "dispatch")
        .order_by(AuditEvent.id.desc())
    )
    location = (case.lat, case.lon) if case.lat is not None and case.lon is not None else None
    problem_bytes = store.get(problem.storage_path)
    problem_features = session.scalar(select(PhotoFeatures.data).where(PhotoFeatures.photo_id == problem.id))
    return PendingCheck(store, paths, analysis.RectificationInputs(
        problem_bytes, received.data, earlier, dispatched, location, thresholds, problem_features, received.features))


@dataclass(frozen=True)
class PendingCheck:
    store: PhotoStore
    paths: dict[int, str | None]
    inputs: analysis.RectificationInputs

    def run(self) -> Verdict:
        """Read the candidate copies from the photo store here (after the transaction: no lock held while
        reading), then check in the analysis child. Each candidate is one the check confirms pixel by pixel."""
        earlier_bytes = {photo_id: self.store.get(path) for photo_id, path in self.paths.items() if path}
        outcome = analysis.run(analysis.check_rectification_photo, replace(self.inputs, earlier_bytes=earlier_bytes))
        if isinstance(outcome, analysis.Refusal):
            raise ImageRejected(outcome.code, outcome.message_zh, outcome.detail)
        return outcome


class ProblemPhotoUnusable(Exception):
    """Every problem photo of the case was refused (corrupt, expired…): nothing to compare with, ever."""


def _no_stored_problem_photo(session: Session, case: Case) -> NoReturn:
    statuses = set(session.scalars(
        select(Photo.status).where(Photo.case_id == case.id, Photo.role == PhotoRole.PROBLEM)))
    if PhotoStatus.PENDING in statuses:  # its download job ends with it stored or refused
        raise RetryLater(f"case {case.number}: the problem photo is not stored yet", PROBLEM_PHOTO_WAIT)
    raise ProblemPhotoUnusable(case.number)


def _hand_to_reviewers(ctx: JobContext, payload: dict[str, Any], case: Case, photo: Photo, received: Received) -> None:
    """Keep the rectification photo unchecked and tell the officer and the reviewers who must decide."""
    store(ctx, photo, received)
    photo.check_result = {"ok": False, "reasons": [{"code": "problem_photo.unusable"}]}
    _finish_conversation(ctx, payload)
    ctx.enqueue_text(payload["channel"], payload["sender"],
                     f"案件 {case.number} {UNUSABLE}。整改照片已保存, 无需重拍, 请等待审核员联系。",
                     key=f"rectify.verdict:{photo.id}")
    for userid in reviewer_chat_ids(ctx.session, case):
        ctx.enqueue_text(CHANNEL_WORK, userid,
                         f"案件 {case.number} {UNUSABLE}: 整改照片无法与之比对, 请现场核实后处理。",
                         key=f"rectify.unusable:{photo.id}:{userid}")


def _conversation(ctx: JobContext, payload: dict[str, Any]) -> Conversation | None:
    return ctx.session.scalars(
        select(Conversation).where(Conversation.channel == payload["channel"], Conversation.external_id == payload["sender"])
        .with_for_update()
    ).one_or_none()


def _finish_conversation(ctx: JobContext, payload: dict[str, Any]) -> None:
    conversation = _conversation(ctx, payload)
    if conversation is not None and conversation.flow == "rectify":
        conversation.finish()


def _keep_waiting_for_photo(ctx: JobContext, payload: dict[str, Any]) -> None:
    conversation = _conversation(ctx, payload)
    if conversation is not None and conversation.flow == "rectify":
        conversation.move("photo")


