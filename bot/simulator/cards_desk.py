"""The stand-in's side of WeCom's template cards and per-member limits.

Cards: message/send with a template_card is checked (card_type, a task_id of letters, digits and _-@
not used before in the app, 1-6 buttons with keys) and answered with a response_code; a tap
(`tap_code`) issues another one, as WeCom's template_card_event does. update_template_card takes one
code once, within 72 hours, and changes the card for the members named. Unknown, spent or expired codes
are refused with errcode 40058 (invalid parameter: the exact code WeCom uses is not in its public docs).

Limits: app messages over 30 a minute or 1,000 an hour to one member are dropped without an error,
as WeCom does; `dropped` keeps them so a test can see that none were.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

CODE_SECONDS = 72 * 3600
TASK_ID = re.compile(r"^[A-Za-z0-9_\-@]{1,128}$")
PER_MINUTE, PER_HOUR = 30, 1000


@dataclass
class Card:
    task_id: str
    body: dict[str, Any]
    users: list[str]
    shown: dict[str, str] = field(default_factory=dict)  # user -> what replaced the buttons, once updated

    def buttons(self) -> list[tuple[str, str]]:
        return [(b.get("text", ""), b.get("key", "")) for b in self.body.get("button_list", [])]

    def text(self) -> str:
        """The card as a member reads it (and as `messages_to` lists it)."""
        fields = [f"{f.get('keyname')}: {f.get('value')}" for f in self.body.get("horizontal_content_list", [])]
        buttons = " ".join(f"[{text}]" for text, _ in self.buttons())
        title = self.body.get("main_title", {})
        return "\n".join(filter(None, [title.get("title", ""), title.get("desc", ""), *fields,
                                       self.body.get("sub_title_text", ""), buttons]))


@dataclass
class CardDesk:
    cards: dict[str, Card] = field(default_factory=dict)  # task id -> card
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # unused code -> (task id, issued at)
    updates: list[dict[str, Any]] = field(default_factory=list)  # accepted update_template_card bodies
    sent_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # member -> app message times
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (member, msgtype) over the limits

    def delivers(self, user: str, msgtype: str) -> bool:
        """Count an app message to `user`; False (and dropped) over 30 in 60 s or 1,000 in an hour."""
        now, times = time.time(), self.sent_at[user]
        if sum(1 for t in times if t > now - 60) >= PER_MINUTE or sum(1 for t in times if t > now - 3600) >= PER_HOUR:
            self.dropped.append((user, msgtype))
            return False
        times.append(now)
        return True

    def most_in_a_minute(self, user: str) -> int:
        times = sorted(self.sent_at.get(user, []))
        return max((sum(1 for t in times[i:] if t < start + 60) for i, start in enumerate(times)), default=0)

    def refusal(self, body: dict[str, Any]) -> tuple[int, str] | None:
        card = body.get("template_card")
        if not isinstance(card, dict) or card.get("card_type") != "button_interaction":
            return 40008, "invalid message type"
        task = str(card.get("task_id", ""))
        if not TASK_ID.match(task):
            return 40058, "invalid task_id"
        if task in self.cards:
            return 40058, "task_id exists"
        buttons = card.get("button_list")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6 or not all(b.get("key") for b in buttons):
            return 40058, "invalid button_list"
        return None

    def record(self, body: dict[str, Any], users: list[str]) -> tuple[Card, str]:
        card = Card(body["template_card"]["task_id"], body["template_card"], users)
        self.cards[card.task_id] = card
        return card, self.issue(card.task_id)

    def issue(self, task: str) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = (task, time.time())
        return code

    def tap_code(self, task: str) -> str:
        """The ResponseCode WeCom puts in the template_card_event of a tap on this card."""
        if task not in self.cards:
            raise KeyError(task)
        return self.issue(task)

    def update(self, body: dict[str, Any]) -> tuple[int, str]:
        task, issued = self.codes.pop(str(body.get("response_code", "")), ("", 0.0))
        if not task or time.time() - issued > CODE_SECONDS:
            return 40058, "invalid response_code"
        card = self.cards[task]
        users = card.users if body.get("atall") else [u for u in body.get("userids", []) if u in card.users]
        shown = (body.get("button") or {}).get("replace_name") or "已处理"
        for user in users:
            card.shown[user] = str(shown)
        self.updates.append(body)
        return 0, "ok"
