"""A chat message as the rest of the service sees it, whichever channel it came from."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from models.inbox import dedupe_key


@dataclass(frozen=True)
class Inbound:
    channel: str            # "mp" (Official Account) or "work" (WeCom)
    sender: str             # OpenID or WeCom UserId
    kind: str               # text | image | location | event | voice | video | link | unknown
    create_time: int
    msg_id: str | None = None
    text: str = ""
    pic_url: str = ""
    media_id: str = ""
    lat: float | None = None   # as sent: GCJ-02
    lon: float | None = None
    label: str = ""            # address label of a location message
    event: str = ""            # subscribe, unsubscribe, click, ...
    event_key: str = ""
    menu_id: str = ""          # bizmsgmenuid: the msgmenu choice a text message is the tap of
    task_id: str = ""          # template_card_event: the card's TaskId
    response_code: str = ""    # template_card_event: the code for update_template_card (72 h, once)

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self.channel, self.msg_id, self.sender, self.create_time, self.event)

    def to_payload(self) -> dict[str, Any]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) not in ("", None)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Inbound:
        return cls(**payload)
