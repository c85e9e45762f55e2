"""Helpers for the card tests: read the cards a member got from the stand-in, tap their buttons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from bot.db import transaction
from bot.simulator.api import FakeWeChatAPI
from bot.simulator.user import WeComUser
from bot.tasks.new_reports import KIND as NEW_REPORTS
from models import OutboxJob, utcnow


def cards_of(api: FakeWeChatAPI, member: WeComUser) -> list[dict[str, Any]]:
    return [p.raw["template_card"] for p in api.pushed_to(member.openid, "template_card")]


def last_card(api: FakeWeChatAPI, member: WeComUser) -> dict[str, Any]:
    return cards_of(api, member)[-1]


def tap(api: FakeWeChatAPI, member: WeComUser, card: dict[str, Any], key: str) -> None:
    """Tap a button: WeCom issues the tap a ResponseCode of its own and posts the event (encrypted)."""
    reply = member.tap_card(card["task_id"], key, api.cards.tap_code(card["task_id"]))
    assert reply.status == 200 and reply.text is None  # the answer comes as an app message


def answer(api: FakeWeChatAPI, member: WeComUser, run_worker: Any) -> str:
    """What the member was told last (taps are answered by app message), after the worker ran."""
    run_worker()
    return api.messages_to(member.openid)[-1]


def shown(api: FakeWeChatAPI, task_id: str, member: WeComUser) -> str:
    """What replaced the card's buttons for this member ('' while they are live)."""
    return api.cards.cards[task_id].shown.get(member.openid, "")


def announcements_due(service: Any) -> None:
    with transaction(service.sessions) as s:
        s.execute(update(OutboxJob).where(OutboxJob.kind == NEW_REPORTS).values(next_try_at=utcnow()))
