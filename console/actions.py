"""The reviewer's buttons, carried out by the same handler functions as the chat commands
(handlers/review.py, handlers/dispatch.py): same scope check, same Case.transition(), same reactions
(who gets told)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from handlers import case_changes, dispatch, review, suspension
from handlers.cases import Refusal
from handlers.context import Acting
from handlers.staff_reasons import OTHER, REASONS
from models import TransitionError

REASON_MAX = 200
REWORK_CODES = REASONS["返工"]  # the coded reasons of the chat's 返工, then 其他


class ActionRefused(Exception):
    pass


def _field(form: Mapping[str, str], name: str, limit: int = 40) -> str:
    return " ".join(form.get(name, "").split())[:limit]  # one line, bounded


# What each correction needs from its form, in the chat command's order after the case number.
FORM_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "reassign": (("unit", "请选择改派的单位。"),),
    "recategorize": (("category", "请选择新的分类。"),),
    "relocate": (("lat", "请填写新位置的纬度。"), ("lon", "请填写新位置的经度。")),
    "duplicate": (("original", "请填写原案件编号。"),),
    "suspend": (("days", "请填写延期的工作日数。"), ("note", "请填写挂起原因。")),
    "refuse_suspension": (("note", "请填写驳回原因。"),),
}


def _argument(number: str, form: Mapping[str, str], action: str) -> str:
    note = _field(form, "note", REASON_MAX)
    if action in FORM_FIELDS:
        values = []
        for name, missing in FORM_FIELDS[action]:
            value = _field(form, name, REASON_MAX if name == "note" else 40)
            if not value:
                raise ActionRefused(missing)
            values.append(value)
        if action == "relocate" and form.get("move_street") == "1":
            values.append(case_changes.CONFIRM_STREET)
        return " ".join([number, *values])
    if action == "reject":
        if not note:
            raise ActionRefused("请填写退回原因, 例如「非城管事项」。")
        reply = " ".join(form.get("public_reply", "").split())[:REASON_MAX]  # what the resident is told
        return f"{number} {note} 公开: {reply}" if reply else f"{number} {note}"
    if action == "rework":
        code = form.get("reason", "")
        if code not in REWORK_CODES:
            raise ActionRefused("请选择返工原因: " + " / ".join(REWORK_CODES) + "。")
        if code == OTHER:
            if not note:
                raise ActionRefused("选择「其他」时请写明返工原因。")
            return f"{number} {note}"
        return f"{number} {code} {note}".rstrip()
    if action == "dispatch":
        unit = form.get("unit", "").strip()[:40]
        if not unit:
            raise ActionRefused("请选择派遣单位。")
        return f"{number} {unit}"
    return number


ACTIONS: dict[str, Callable[[Acting, str], str]] = {
    "accept": review.accept,
    "reject": review.reject,
    "approve": review.approve,
    "rework": review.rework,
    "dispatch": dispatch.dispatch_by_hand,  # 受理 found no routing rule: the reviewer picks the unit
    "reassign": case_changes.reassign,
    "recategorize": case_changes.recategorize,
    "relocate": case_changes.relocate,
    "duplicate": case_changes.mark_duplicate,
    "suspend": suspension.request,
    "approve_suspension": suspension.approve,
    "refuse_suspension": suspension.refuse,
}


def perform(acting: Acting, number: str, action: str, form: Mapping[str, str]) -> str:
    """The handler's answer on success; ActionRefused (Chinese, says what to do) otherwise, nothing changed."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise ActionRefused("没有这个操作。")
    argument = _argument(number, form, action)
    try:
        return handler(acting, argument)
    except (Refusal, TransitionError) as exc:
        raise ActionRefused(str(exc)) from exc
