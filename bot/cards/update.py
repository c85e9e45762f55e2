"""cards.update: after a decision, every copy of the card shows who decided, and its buttons go grey.

update_template_card takes one ResponseCode per call, each usable once and for 72 hours; one code
changes the card for all the members named. So the freshest unused code of the task's copies is
spent (a tap's code is newer than the send's); a code WeCom refuses is spent too, and the next tried."""

from __future__ import annotations

import logging
from typing import Any

from wechatpy.exceptions import WeChatClientException

from bot.cards.wecom_api import update_card
from bot.worker import JobContext
from models import utcnow
from models.cards import copies

log = logging.getLogger(__name__)
TOKEN_OR_BUSY = {-1, 40001, 40014, 42001, 45009}  # about the call, not the code: retried with back-off


def update_cards_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    now = utcnow()
    cards = copies(ctx.session, payload["task_id"])
    handled = [c for c in cards if c.handled_at is not None]
    if not handled:
        return
    outcome = handled[0].outcome
    usable = sorted((c for c in cards if c.code_is_fresh(now)), key=lambda c: c.code_at or now, reverse=True)
    for holder in usable:
        code, holder.response_code = holder.response_code, None
        try:
            update_card(ctx.service.config.wecom, [c.recipient for c in cards], code or "", outcome)
            return
        except WeChatClientException as exc:
            if exc.errcode is None or exc.errcode in TOKEN_OR_BUSY:
                raise
            log.info("card %s: WeCom refused a response code (%s), trying the next", payload["task_id"], exc.errcode)
    log.info("card %s: no usable response code left; its copies keep their buttons (a tap is answered)",
             payload["task_id"])
