"""notify.card: one card to its recipients (one message, one task id), after its photo: the problem
photo for a new report, both photos side by side for a review. Paced per member (bot.tasks.wecom_pace);
each copy is stored with WeCom's response_code so it can be changed after the decision."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot import photostore
from bot.cards.compose import side_by_side
from bot.cards.content import template_card, verdict_words
from bot.cards.wecom_api import send_card
from bot.outbound import MAX_IMAGE_BYTES, wecom_app
from bot.reactions import category_label
from bot.tasks.notify import PHOTO_WAIT, refusals_are_final
from bot.tasks.photos import waits_for_store
from bot.tasks.wecom_pace import pace
from bot.worker import JobContext, RetryLater
from models import Case, Photo, PhotoRole, PhotoStatus, utcnow
from models.cards import CardStep, SentCard, card_is_open


@dataclass
class _Card:
    body: dict[str, Any]
    image: bytes | None


@waits_for_store  # the card's photos are in the store
def send_card_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    step, task = CardStep(payload["step"]), payload["task_id"]
    with ctx.service.sessions() as session:  # short: no transaction held through the uploads
        case = session.get(Case, payload["case_id"])
        if case is None or not card_is_open(step, case):
            return  # decided before its card went out: nothing to ask
        sent = set(session.scalars(select(SentCard.recipient).where(SentCard.task_id == task)))
        recipients = [r for r in payload["to"] if r not in sent]
        if not recipients:
            return
        card = _prepare(ctx, session, step, task, case, payload.get("photos", ""))
    pace(ctx, recipients, messages=2 if card.image else 1)
    cfg = ctx.service.config.wecom
    ctx.mark_sending()
    with refusals_are_final(ctx):
        if card.image:
            client = wecom_app(cfg)
            media = client.media.upload("image", (f"{task}.jpg", io.BytesIO(card.image), "image/jpeg"))["media_id"]
            client.message.send_image(cfg.agent_id, "|".join(recipients), media)
        code = send_card(cfg, recipients, card.body)
    now = utcnow()
    for recipient in recipients:
        ctx.session.add(SentCard(task_id=task, case_id=payload["case_id"], step=step, recipient=recipient,
                                 response_code=code or None, code_at=now if code else None))


def _prepare(ctx: JobContext, session: Any, step: CardStep, task: str, case: Case, photos: str) -> _Card:
    store = photostore.store_for(ctx.service.config)
    problem = _photo(session, case, PhotoRole.PROBLEM, first=True)
    verdict, image = "", None
    if photos == "problem" and problem is not None:
        image = store.get(problem.storage_path or "")
    if photos == "pair":
        rectified = _photo(session, case, PhotoRole.RECTIFICATION, first=False)
        verdict = verdict_words(rectified.check_result if rectified else None)
        if problem is not None and rectified is not None:
            image = side_by_side(store.get(problem.storage_path or ""),
                                 store.get(rectified.storage_path or ""))
    if image is not None and len(image) > MAX_IMAGE_BYTES:
        image = None  # the card still goes out; the photos are on the console
    return _Card(template_card(step, task, case, category_label(case), verdict), image)


def _photo(session: Any, case: Case, role: PhotoRole, *, first: bool) -> Photo | None:
    order = Photo.id if first else Photo.id.desc()
    photo = session.scalars(select(Photo).where(Photo.case_id == case.id, Photo.role == role,
                                                Photo.status != PhotoStatus.REJECTED).order_by(order)).first()
    if photo is not None and (photo.status == PhotoStatus.PENDING or not photo.storage_path):
        raise RetryLater(f"photo {photo.id} of case {case.number} is not stored yet", PHOTO_WAIT)
    return photo
