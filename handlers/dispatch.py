"""派遣: an accepted case goes to its responsible unit, by the routing table or by a reviewer's hand.

Every way in (受理 with a fitting rule, 「派遣 编号 单位」, a rule added later) takes the same step
through Case.transition(), so the unit hears of it by the same reaction, and a case fixed on the
spot with a passing photo goes on to review at once.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from handlers.cases import Refusal, case_in_scope, require_role
from handlers.context import Context
from handlers.rectify import submit_checked_rectification
from models import Case, CaseStatus, Photo, PhotoRole, Role, Unit, User
from models.units import responsible_unit

ROUTE_COMMAND = "chengguan units route"
UNITS_SHOWN = 8


def dispatch(session: Session, case: Case, unit: Unit, actor: User | None, note: str = "") -> bool:
    """Dispatch the case to the unit; True when a passing on-the-spot photo submitted it for review too."""
    case.unit_id = unit.id
    case.transition(CaseStatus.DISPATCHED, actor, note=note or f"派遣至{unit.name}", data={"unit_id": unit.id})
    spot = session.scalars(
        select(Photo).where(Photo.case_id == case.id, Photo.role == PhotoRole.RECTIFICATION).order_by(Photo.id.desc())
    ).first()
    if spot is not None and (spot.check_result or {}).get("ok") is True:
        return submit_checked_rectification(session, case, spot)
    return False


def dispatched_text(case: Case, unit: Unit, submitted: bool, done: str = "已派遣") -> str:
    if submitted:
        return (f"案件 {case.number} {done}至{unit.name}; 现场已整改且照片核验通过, 已提交审核。"
                f"回复「通过 {case.number}」结案。")
    return f"案件 {case.number} {done}至{unit.name}, 已通知该单位人员。"


def no_unit_text(session: Session, case: Case) -> str:
    """What a reviewer reads when no routing rule fits: both ways out, and the units to choose from."""
    choices = street_units(session, case.street_id)[:UNITS_SHOWN]
    listed = "\n可选单位: " + "、".join(f"{u.code} {u.name}" for u in choices) if choices else ""
    return (f"案件 {case.number} 已受理, 但没有找到负责单位, 未能派遣。"
            f"请回复「派遣 {case.number} 单位代码」人工派遣; 或请管理员用 `{ROUTE_COMMAND}` 添加派遣规则, "
            f"添加后自动派遣。{listed}")


def street_units(session: Session, street_id: int | None) -> list[Unit]:
    """Units a case of this street may go to: the street's own, and district-wide ones."""
    return list(session.scalars(
        select(Unit).where(or_(Unit.street_id.is_(None), Unit.street_id == street_id)).order_by(Unit.code)))


def dispatch_by_hand(ctx: Context, argument: str) -> str:
    """「派遣 案件编号 单位代码或名称」"""
    require_role(ctx, "派遣", Role.REVIEWER, Role.ADMIN)
    number, _, wanted = argument.partition(" ")
    if not number:
        raise Refusal("请写明案件编号和单位, 例如「派遣 2026112200017 单位代码」。")
    wanted = wanted.strip()
    if not wanted:
        raise Refusal(f"请写明派遣单位, 例如「派遣 {number} 单位代码」。")
    case = case_in_scope(ctx, number, "派遣")
    unit = unit_for(ctx.session, case, wanted)
    submitted = dispatch(ctx.session, case, unit, ctx.user)
    return dispatched_text(case, unit, submitted)


def unit_for(session: Session, case: Case, wanted: str) -> Unit:
    """The unit a reviewer named (code or name) for this case: its street's own or a district-wide one."""
    unit = _unit_named(session, wanted)
    if unit is None:
        choices = street_units(session, case.street_id)[:UNITS_SHOWN]
        listed = "、".join(f"{u.code} {u.name}" for u in choices) or "无, 请管理员先用 `chengguan units add` 添加"
        raise Refusal(f"没有找到单位「{wanted}」。可选单位: {listed}")
    if unit.street_id is not None and unit.street_id != case.street_id:
        raise Refusal(f"{unit.name}不属于该案件所在街道, 请选择本街道或区级单位。")
    return unit


def _unit_named(session: Session, wanted: str) -> Unit | None:
    by_code = session.scalars(select(Unit).where(Unit.code == wanted)).one_or_none()
    if by_code is not None:
        return by_code
    by_name = session.scalars(select(Unit).where(Unit.name == wanted)).all()
    return by_name[0] if len(by_name) == 1 else None


def dispatch_waiting(session: Session) -> list[tuple[str, str]]:
    """Dispatch every accepted case that a routing rule now fits (after a rule is added): (number, unit name)."""
    waiting = session.scalars(
        select(Case).where(Case.status == CaseStatus.ACCEPTED).order_by(Case.id).with_for_update()
    ).all()
    done = []
    for case in waiting:
        unit = responsible_unit(session, case.street_id, case.category_code)
        if unit is not None:
            dispatch(session, case, unit, None, note=f"新增派遣规则后自动派遣至{unit.name}")
            done.append((case.number, unit.name))
    return done
