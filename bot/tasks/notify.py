"""notify.text: a message pushed to a chat user (customer-service message / WeCom app message)."""

from __future__ import annotations

from typing import Any

from wechatpy.exceptions import WeChatClientException

from bot import outbound
from bot.worker import JobContext, PermanentJobError

# WeChat error codes that no retry can fix: the user unfollowed, blocked us, or the 48-hour
# customer-service window is over; the user id is invalid.
HOPELESS = {40003, 43004, 45015, 45047, 46004, 60111, 81013}


def send_text(ctx: JobContext, payload: dict[str, Any]) -> None:
    try:
        outbound.send_text(ctx.service.config, payload["channel"], payload["to"], payload["text"])
    except WeChatClientException as exc:
        if exc.errcode in HOPELESS:
            raise PermanentJobError(f"WeChat refused the message: {exc.errcode} {exc.errmsg}") from exc
        raise
