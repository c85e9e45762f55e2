"""Admin commands: streets, units, routing rules and staff (with one-time invite codes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.db import transaction
from bot.service import Service
from handlers.dispatch import dispatch_waiting
from models import DispatchRule, InviteCode, Role, Street, Unit, User

STAFF_ROLES = [r.value for r in Role if r != Role.RESIDENT]


def _service() -> Service:
    return Service.build(Config.from_env())


def _street(session: Session, code: str | None) -> int | None:
    return _id_by_code(session, Street, code, "街道", "chengguan streets import")


def _unit(session: Session, code: str | None) -> int | None:
    return _id_by_code(session, Unit, code, "单位", "chengguan units add")


def _id_by_code(session: Session, model: type[Street] | type[Unit], code: str | None, noun: str, fix: str) -> int | None:
    """The id of the row with this code; no code, no row; an unknown code stops with the command to run."""
    if not code:
        return None
    found = session.scalars(select(model.id).where(model.code == code)).one_or_none()
    if found is None:
        raise click.ClickException(f"没有编码为 {code} 的{noun}; 先用 `{fix}` 添加")
    return found


@click.group(help="街道及其边界。")
def streets() -> None:
    pass


@streets.command("import", help="从 GeoJSON FeatureCollection 导入街道 (属性 code、name; WGS-84 坐标)。")
@click.argument("geojson", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def streets_import(geojson: Path) -> None:
    try:
        features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
        rows = [(f["properties"]["code"], f["properties"]["name"], f["geometry"]) for f in features]
    except (ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"{geojson} 不是带 code/name 属性的 GeoJSON FeatureCollection ({exc})") from None
    with transaction(_service().sessions) as session:
        for code, name, geometry in rows:
            street = session.scalars(select(Street).where(Street.code == code)).one_or_none() or Street(code=code)
            street.name, street.polygon = name, geometry
            session.add(street)
    click.echo(f"已导入 {len(rows)} 个街道")


@click.group(help="责任单位与派遣规则表。")
def units() -> None:
    pass


@units.command("add", help="添加责任单位: 编码 CODE, 名称 NAME。")
@click.argument("code")
@click.argument("name")
@click.option("--street", help="所属街道编码 (单位只属于一个街道时)")
def units_add(code: str, name: str, street: str | None) -> None:
    with transaction(_service().sessions) as session:
        session.add(Unit(code=code, name=name, street_id=_street(session, street)))
    click.echo(f"已添加单位 {code} {name}")


@units.command("route", help="把某街道 (或所有街道) 某类别前缀 (E、E05、E0502…) 的案件派给单位 UNIT。")
@click.argument("unit")
@click.option("--street", help="街道编码; 不填: 所有街道")
@click.option("--category", default="", help="类别编码前缀; 不填: 所有类别")
def units_route(unit: str, street: str | None, category: str) -> None:
    with transaction(_service().sessions) as session:
        session.add(DispatchRule(unit_id=_unit(session, unit), street_id=_street(session, street),
                                 category_prefix=category.upper()))
        session.flush()
        dispatched = dispatch_waiting(session)  # cases accepted while no rule fitted stop waiting now
    click.echo(f"已添加派遣规则: {street or '所有街道'} / {category or '所有类别'} -> {unit}")
    if dispatched:
        click.echo(f"已自动派遣 {len(dispatched)} 件等待派遣的案件:")
        for number, unit_name in dispatched:
            click.echo(f"  {number} -> {unit_name}")


@click.group(help="工作人员 (路长、队员、审核员、管理员) 及其企业微信邀请码。")
def staff() -> None:
    pass


@staff.command("add", help="添加工作人员并显示一次性邀请码 (在企业微信应用中发送「绑定 码」)。")
@click.option("--name", required=True, help="姓名")
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES), help="角色")
@click.option("--street", help="街道编码")
@click.option("--unit", help="单位编码")
@click.option("--road", default="", help="路长负责的道路")
@click.option("--mobile", help="手机号")
def staff_add(name: str, role: str, street: str | None, unit: str | None, road: str, mobile: str | None) -> None:
    with transaction(_service().sessions) as session:
        code = _add_staff(session, dict(name=name, role=role, street=street, unit=unit, road=road, mobile=mobile))
    click.echo(f"{name}: 邀请码 {code} (7天内有效, 在企业微信应用中发送「绑定 {code}」)")


@staff.command("import", help="从 CSV 导入工作人员 (列: name, role, street, unit, road, mobile), 显示各人的邀请码。")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def staff_import(csv_file: Path) -> None:
    with csv_file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    with transaction(_service().sessions) as session:
        codes = []
        for line, row in enumerate(rows, start=2):
            if row.get("role") not in STAFF_ROLES:
                raise click.ClickException(f"{csv_file}:{line}: role 必须是 {', '.join(STAFF_ROLES)} 之一")
            codes.append((row["name"], _add_staff(session, row)))
    for name, code in codes:
        click.echo(f"{name}\t{code}")


def _add_staff(session: Session, row: dict[str, str | None]) -> str:
    user = User(name=row["name"], role=Role(row["role"]), street_id=_street(session, row.get("street")),
                unit_id=_unit(session, row.get("unit")), road=row.get("road") or "", mobile=row.get("mobile") or None)
    session.add(user)
    session.flush()
    invite, code = InviteCode.issue(user.id)
    session.add(invite)
    return code


@staff.command("remove", help="工作人员离职: 解绑其企业微信账号 USERID, 停用并删除姓名、手机号和控制台登录; "
                              "审计记录中改为「已离职人员编号」。")
@click.argument("userid")
def staff_remove(userid: str) -> None:
    from bot.privacy.forget import UnknownStaff, remove_staff
    from models import utcnow

    try:
        with transaction(_service().sessions) as session:
            user, result = remove_staff(session, userid, utcnow())
            pseudonym = user.name
    except UnknownStaff:
        raise click.ClickException(f"没有绑定企业微信账号 {userid} 的工作人员; 请核对账号 (企业微信后台的 UserID)") from None
    click.echo(f"已移除: 企业微信账号 {userid} 已解绑, 审计记录中显示为「{pseudonym}」")
    if result.open_cases_assigned:
        click.echo(f"仍有 {len(result.open_cases_assigned)} 件未结案件由其整改: "
                   + " ".join(result.open_cases_assigned) + "; 同单位队员回复「整改 编号」即可接手")
