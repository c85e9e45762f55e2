"""The two WeCom calls cards need beyond bot.outbound: message/send with a template_card, and
message/update_template_card. Both go through the shared-token client (one refresh, no loops)."""

from __future__ import annotations

from typing import Any

from bot.config import WeComConfig
from bot.outbound import wecom_app


def send_card(cfg: WeComConfig, recipients: list[str], card: dict[str, Any]) -> str:
    """Send the card to the members (one message, one task); WeCom's response_code for it."""
    answer = wecom_app(cfg).post("message/send", data={
        "touser": "|".join(recipients), "msgtype": "template_card", "agentid": int(cfg.agent_id),
        "template_card": card, "enable_duplicate_check": 0,
    })
    return str(answer.get("response_code") or "")


def update_card(cfg: WeComConfig, recipients: list[str], response_code: str, outcome: str) -> None:
    """Grey out the card's buttons for these members, showing `outcome` in their place."""
    wecom_app(cfg).post("message/update_template_card", data={
        "userids": recipients, "agentid": int(cfg.agent_id), "response_code": response_code,
        "button": {"replace_name": outcome},
    })
