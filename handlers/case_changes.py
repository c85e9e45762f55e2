"""Corrections a reviewer makes to an open case, each audited with its old and new values:
改派 (another unit), 改类 (category), 改位置 (location; the street changes only when confirmed) and
重复 (a duplicate closes, linked to its original both ways).

The chat commands and the web console both call these, so the same people hear of the same change
(bot/reactions.py reacts to the audit events)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.cases import Refusal, case_in_scope, require_role
from handlers.catalog import categories, category_label, find_by_words
from handlers.context import Acting
from handlers.dispatch import unit_for
from models import Case, CaseStatus, Role, Street, Unit
from models.geo import Point, StreetLocator, in_china, wgs84_to_gcj02
from models.public_text import PUBLIC_REPLY

REASSIGNABLE = (CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.RETURNED)
CONFIRM_STREET = "转街道"


def _reviewer_case(ctx: Acting, argument: str, command: str, what: str, example: str) -> tuple[Case, str]:
    """The case named first in the argument (in scope, still open) and the rest of the argument."""
    require_role(ctx, command, Role.REVIEWER, Role.ADMIN)
    number, _, rest = argument.strip().partition(" ")
    if not number or not rest.strip():
        raise Refusal(f"请写明案件编号和{what}, 例如「{command} {example}」。")
    case = case_in_scope(ctx, number, command)
    if case.is_final:
        raise Refusal(f"案件 {case.number} 已{case.status.label}, 不能再{command}。")
    return case, rest.strip()


def reassign(ctx: Acting, argument: str) -> str:
    """「改派 案件编号 单位代码或名称」: a dispatched case goes to another unit, which is told as on 派遣."""
    case, wanted = _reviewer_case(ctx, argument, "改派", "新单位", "2026112200017 单位代码")
    if case.status not in REASSIGNABLE:
        raise Refusal(f"案件 {case.number} 当前为「{case.status.label}」, 尚未派遣; 请用「派遣 {case.number} 单位代码」。")
    unit = unit_for(ctx.session, case, wanted[:40])
    old = ctx.session.get(Unit, case.unit_id) if case.unit_id else None
    if old is not None and old.id == unit.id:
        raise Refusal(f"案件 {case.number} 已由{unit.name}处置, 无需改派。")
    case.unit_id, case.assignee_id = unit.id, None  # the new unit's officer takes it up with 「整改」
    old_name = old.name if old else "无"
    case.record("reassign", ctx.user, note=f"改派: {old_name} → {unit.name}",
                data={"from_unit_id": old.id if old else None, "to_unit_id": unit.id})
    return f"案件 {case.number} 已由{old_name}改派至{unit.name}, 已通知该单位人员。"


def recategorize(ctx: Acting, argument: str) -> str:
    """「改类 案件编号 分类」 (代码 E0102 or 名称 市容环境/暴露垃圾); the deadline stays as it was set."""
    case, wanted = _reviewer_case(ctx, argument, "改类", "新分类", "2026112200017 E0502")
    try:
        category = categories().get(wanted)
    except KeyError:
        found = find_by_words(wanted)
        if found is None:
            raise Refusal(f"没有分类「{wanted[:20]}」, 请写分类代码 (如 E0502) 或「大类/小类」(如 街面秩序/占道经营)。") from None
        category = found
    if category.key == case.category_code:
        raise Refusal(f"案件 {case.number} 已是「{category.label}」。")
    old = case.category_code
    old_label = category_label(old)
    case.category_code = category.key
    case.record("recategorize", ctx.user, note=f"分类: {old_label} → {category.label}",
                data={"from": old, "to": category.key})
    return f"案件 {case.number} 的分类已由「{old_label}」改为「{category.label}」(处置时限不变)。"


def relocate(ctx: Acting, argument: str) -> str:
    """「改位置 案件编号 纬度 经度 [转街道]」 (WGS-84); the case moves to another street only with 转街道."""
    case, rest = _reviewer_case(ctx, argument, "改位置", "新位置的纬度经度", "2026112200017 31.2304 121.4737")
    words = rest.split()
    confirm = CONFIRM_STREET in words[2:]
    try:
        point = Point.parse(*words[:2]) if len(words) >= 2 else None
    except ValueError:
        point = None
    if point is None or not in_china(point):
        raise Refusal(f"请写明新位置的纬度和经度 (WGS-84), 例如「改位置 {case.number} 31.2304 121.4737」。")
    streets = ctx.session.scalars(select(Street)).all()
    street_id = StreetLocator((s.id, s.polygon) for s in streets).locate(point) if streets else None
    names = {s.id: s.name for s in streets}
    old = {"lat": case.lat, "lon": case.lon, "street_id": case.street_id}
    moves = street_id is not None and street_id != case.street_id
    gcj = wgs84_to_gcj02(point)
    case.lat, case.lon, case.gcj_lat, case.gcj_lon = point.lat, point.lon, gcj.lat, gcj.lon
    if moves and confirm:
        case.street_id = street_id
    new = {"lat": point.lat, "lon": point.lon, "street_id": case.street_id}
    case.record("relocate", ctx.user, note=f"位置: {_where(old['lat'], old['lon'])} → {_where(point.lat, point.lon)}"
                + (f"; 街道: {names.get(old['street_id'] or 0, '无')} → {names[street_id]}" if moves and confirm else ""),
                data={"from": old, "to": new})
    done = f"案件 {case.number} 的位置已改为 {_where(point.lat, point.lon)}。"
    if moves and not confirm:
        return (done + f"新位置在{names[street_id]}, 案件仍属{names.get(case.street_id or 0, '原街道')}; "
                f"如需转到{names[street_id]}, 请回复「改位置 {case.number} {point.lat} {point.lon} {CONFIRM_STREET}」。")
    if moves:
        return done + f"已转到{names[street_id]}; 如需另派单位, 请用「改派」。"
    return done


def mark_duplicate(ctx: Acting, argument: str) -> str:
    """「重复 案件编号 原案件编号」: the case closes as 重复, and each of the two names the other."""
    case, original_number = _reviewer_case(ctx, argument, "重复", "原案件编号", "2026112200017 2026112100003")
    original = case_in_scope(ctx, original_number.split()[0], "重复")
    if original.id == case.id:
        raise Refusal("原案件不能是它自己, 请写另一件案件的编号。")
    if original.status == CaseStatus.DUPLICATE:
        root = ctx.session.get(Case, original.duplicate_of_id) if original.duplicate_of_id else None
        raise Refusal(f"案件 {original.number} 本身是重复案件" + (f", 请写它的原案件 {root.number}。" if root else "。"))
    case.duplicate_of_id = original.id
    said = f"与案件 {original.number} 重复, 随该案件一并处理"  # written by us, not the reviewer: the reporter may read it
    case.transition(CaseStatus.DUPLICATE, ctx.user, note=said, data={"original": original.number, PUBLIC_REPLY: said})
    original.record("duplicate_linked", ctx.user, note=f"重复案件 {case.number} 已并入本案",
                    data={"duplicate": case.number})
    return f"案件 {case.number} 已作为案件 {original.number} 的重复案件关闭, 两案已互相关联。"


def duplicates_of(session: Session, case: Case) -> list[str]:
    """Numbers of the cases closed as duplicates of this one."""
    return list(session.scalars(select(Case.number).where(Case.duplicate_of_id == case.id).order_by(Case.id)))


def _where(lat: float | None, lon: float | None) -> str:
    return f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else "无定位"


COMMANDS = {"改派": reassign, "改类": recategorize, "改位置": relocate, "重复": mark_duplicate}
HELP = "改派 编号 单位 / 改类 编号 分类 / 改位置 编号 纬度 经度 [转街道] / 重复 编号 原案件编号"
