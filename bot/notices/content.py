"""What each notice says, rendered from the case when it is sent (the unit is known by then).

One notice has two shapes: the chat text of a customer-service message, and the short values a
template message or subscription notification carries (number, status, detail, time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.uplink.media import sendable_photos
from handlers.feedback import question, question_menu
from models import Case, PhotoRole, Unit, utcnow
from models.calendar import TZ
from models.enums import CaseStatus
from models.public_text import PUBLIC_STATUS_TEXT

# Fits a subscription notification's 20-character field: the rating question where no buttons can go.
RATING_HINT = "请回复1满意2基本满意3不满意"
LABELS = {"accepted": "已受理", "rejected": "不予受理", "closed": "已办结", "rating": "满意度评价"}


@dataclass(frozen=True)
class Notice:
    kind: str
    case_id: int
    number: str
    status: str
    detail: str                      # one line for templates and subscription notifications
    text: str                        # the customer-service message
    photo_id: int | None = None      # sent after the text, inside the window
    menu: dict[str, Any] | None = None  # msgmenu instead of the text, inside the window
    asks_rating: bool = False        # the template/subscription shape carries the rating question
    values: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        """Customer-service messages it takes."""
        return 1 + (self.photo_id is not None)


def render(session: Session, case: Case, kind: str, reason: str = "") -> Notice:
    n = case.number
    if kind == "accepted":
        unit = session.get(Unit, case.unit_id) if case.unit_id else None
        who = unit.name if unit else "待派遣"
        due = f"{case.deadline.astimezone(TZ):%Y-%m-%d %H:%M}" if case.deadline else "待定"
        return _notice(kind, case, f"{who}办理, {due}前",
                       f"您上报的案件 {n} 已受理。\n负责单位: {who}\n处理时限: {due} 前\n回复「查询 {n}」可查看进度。")
    if kind == "rejected":  # `reason` is the reviewer's reply marked public; their note stays internal
        why = reason or PUBLIC_STATUS_TEXT[CaseStatus.REJECTED]
        return _notice(kind, case, why,
                       f"您上报的案件 {n} 不予受理: {why}。\n如有疑问, 可补充照片和说明重新上报。")
    if kind == "closed":
        photos = sendable_photos(session, case.id, [PhotoRole.RECTIFICATION])
        photo_id = photos[-1].id if photos else None
        shown = ", 整改后照片如下" if photo_id else ""
        return _notice(kind, case, RATING_HINT,
                       f"您上报的案件 {n} 已办结{shown}。", photo_id=photo_id, asks_rating=True)
    if kind == "rating":
        return _notice(kind, case, RATING_HINT, question(case),
                       menu=question_menu(case), asks_rating=True)
    raise ValueError(f"unknown notice {kind!r}")


def _notice(kind: str, case: Case, detail: str, text: str, **extra: Any) -> Notice:
    values = {"number": case.number, "status": LABELS[kind], "detail": detail,
              "time": f"{utcnow().astimezone(TZ):%Y-%m-%d %H:%M}"}
    return Notice(kind, case.id, case.number, LABELS[kind], detail, text, values=values, **extra)


# WeChat's limits on subscription-notification values by field type (longer values are refused).
_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "name": 10, "short_thing": 5}


def template_data(fields: dict[str, str], values: dict[str, str]) -> dict[str, dict[str, str]]:
    """{template field: {"value": …}} for the values the template has fields for, cut to its type's limit."""
    data = {}
    for ours, theirs in fields.items():
        value = values.get(ours, "")
        limit = next((n for prefix, n in _LIMITS.items() if theirs.rstrip("0123456789") == prefix), None)
        data[theirs] = {"value": value[: limit - 1] + "…" if limit and len(value) > limit else value}
    return data
