"""Finding a case named in a staff command, and whether this staff member may act on it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from handlers.context import Acting, Context
from models import Case, CaseStatus, Role, User
from models.cases import case_for_update


class Refusal(Exception):
    """A staff command that cannot be carried out; the message says why and what to do."""


def case_in_scope(ctx: Acting, number: str, command: str) -> Case:
    """The case, row-locked, if it exists and the sender may act on it; otherwise Refusal.
    `command` is the word the sender typed, for the example in the refusal."""
    number = number.strip()
    if not number:
        raise Refusal(f"请在命令后写上案件编号, 例如「{command} 2026112200017」。")
    case = case_for_update(ctx.session, number)
    if case is None:
        raise Refusal(f"没有找到案件 {number}, 请核对编号。")
    assert ctx.user is not None
    if not may_act_on(ctx.user, case):
        raise Refusal(f"案件 {number} 不在您负责的范围内 (不属于您的街道或单位)。")
    return case


def may_act_on(user: User, case: Case) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.REVIEWER:
        return user.street_id is None or user.street_id == case.street_id  # no street: district level
    if user.role in (Role.OFFICER, Role.ROAD_CHIEF):
        return case.assignee_id == user.id or (user.unit_id is not None and case.unit_id == user.unit_id)
    return False


def scope_clause(user: User) -> ColumnElement[bool]:
    """may_act_on() as a SQL condition on Case, for lists (the console's queue): the same rules, kept
    next to them so the two cannot drift apart (tests compare them case by case)."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.REVIEWER:
        return true() if user.street_id is None else Case.street_id == user.street_id
    if user.role in (Role.OFFICER, Role.ROAD_CHIEF):
        mine = Case.assignee_id == user.id
        return mine | (Case.unit_id == user.unit_id) if user.unit_id is not None else mine
    return false()


def require_role(ctx: Acting, action: str, *roles: Role) -> None:
    assert ctx.user is not None
    if not ctx.user.has_role(*roles):
        who = "、".join(r.label for r in roles)
        raise Refusal(f"「{action}」只能由{who}操作, 您的身份是{ctx.user.role.label}。")


def open_tasks(ctx: Context) -> list[Case]:
    assert ctx.user is not None
    mine = Case.assignee_id == ctx.user.id
    if ctx.user.unit_id is not None:
        mine = mine | (Case.unit_id == ctx.user.unit_id)
    active = (CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.RETURNED)
    return list(ctx.session.scalars(select(Case).where(mine, Case.status.in_(active)).order_by(Case.deadline, Case.id)))
