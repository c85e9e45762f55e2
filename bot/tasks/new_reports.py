"""A street's reviewers hear of new resident reports at once, not at the next digest (#13), each as a
card with its photo and 受理 / 退回 buttons (#14).

Each 随手拍 report queues one job, due a minute later. The first of a street's jobs to run takes every
pending job of that street, its own included, in one conditional UPDATE; a job that finds itself
already taken announces nothing. So the reports of that minute are announced together (one card each,
still waiting ones only), and no report is announced twice, however many workers hold the street's jobs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cards.queue import queue_card
from models import Case, CaseStatus, utcnow
from models.cards import CardStep
from models.outbox import JobStatus, OutboxJob, enqueue

if TYPE_CHECKING:  # bot.worker needs bot.service, which installs the reactions that queue these jobs
    from bot.worker import JobContext

KIND = "notify.new_reports"
BATCH_WINDOW = timedelta(minutes=1)


def queue_announcement(session: Session, case: Case) -> None:
    enqueue(session, KIND, {"case_id": case.id, "street_id": case.street_id}, key=f"new-report:{case.id}",
            not_before=utcnow() + BATCH_WINDOW)


def announce_new_reports(ctx: JobContext, payload: dict[str, Any]) -> None:
    from bot.reactions import reviewer_chat_ids  # (bot.reactions queues these jobs)

    taken = _take_street_jobs(ctx, payload["street_id"])
    if ctx.job_id not in taken:
        return  # another of the street's jobs announced this report with its own
    cases = ctx.session.scalars(select(Case).where(Case.id.in_(taken.values()), Case.status == CaseStatus.REPORTED)
                                .order_by(Case.id)).all()
    if not cases:
        return  # all handled already
    reviewers = reviewer_chat_ids(ctx.session, cases[0])
    for case in cases:  # one card each: a card's buttons decide one case
        queue_card(ctx.session, CardStep.REPORT, case, reviewers)


def _take_street_jobs(ctx: JobContext, street_id: int) -> dict[int, int]:
    """Every pending announcement job of the street, marked done: job id -> case id."""
    now = utcnow()
    taken = ctx.session.execute(
        update(OutboxJob)
        .where(OutboxJob.kind == KIND, OutboxJob.status == JobStatus.PENDING,
               OutboxJob.payload["street_id"].as_integer() == street_id)
        .values(status=JobStatus.DONE, done_at=now)
        .returning(OutboxJob.id, OutboxJob.payload)
    ).all()
    return {job_id: int(payload["case_id"]) for job_id, payload in taken}

