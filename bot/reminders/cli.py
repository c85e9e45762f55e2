"""`chengguan groups add|list|disable`: the group chats that get digests and bulletins, as data."""

from __future__ import annotations

import click


@click.group(help="工作群: 每日到期提醒与月度通报发往哪些群")
def groups_cli() -> None:
    pass


@groups_cli.command("add", help="登记街道、单位或区级工作群 (群机器人地址或应用群聊 id)。")
@click.option("--street", "street_code", help="街道编码 (该街道的案件提醒发到这个群)")
@click.option("--unit", "unit_code", help="责任单位编码")
@click.option("--district", is_flag=True, help="区级群: 接收月度通报")
@click.option("--webhook", help="群机器人 webhook 地址 (…/cgi-bin/webhook/send?key=…)")
@click.option("--chat-id", help="应用创建的群聊 id (企业微信 appchat)")
@click.option("--name", default="", help="在 groups list 中显示的名称")
def add(street_code: str | None, unit_code: str | None, district: bool, webhook: str | None, chat_id: str | None, name: str) -> None:
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from bot.cli import _ready_service
    from bot.db import transaction
    from models.groups import KIND_APPCHAT, KIND_ROBOT, GroupChat, webhook_key
    from models.streets import Street
    from models.units import Unit

    if sum(bool(x) for x in (street_code, unit_code, district)) != 1:
        raise click.UsageError("请指定一个: --street 街道代码, --unit 单位代码, 或 --district")
    if bool(webhook) == bool(chat_id):
        raise click.UsageError("请指定一个: --webhook 群机器人地址, 或 --chat-id 应用群聊 id")
    if webhook:
        try:
            webhook_key(webhook)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--webhook") from None
    service = _ready_service()
    try:
        with transaction(service.sessions) as session:
            group = GroupChat(kind=KIND_ROBOT if webhook else KIND_APPCHAT, target=(webhook or chat_id or "").strip(),
                              district=district, name=name)
            if street_code:
                street = session.scalar(select(Street).where(Street.code == street_code))
                if street is None:
                    raise click.BadParameter(f"没有街道代码 {street_code}", param_hint="--street")
                group.street_id, group.name = street.id, name or street.name
            if unit_code:
                unit = session.scalar(select(Unit).where(Unit.code == unit_code))
                if unit is None:
                    raise click.BadParameter(f"没有单位代码 {unit_code}", param_hint="--unit")
                group.unit_id, group.name = unit.id, name or unit.name
            group.name = group.name or "区级群"
            session.add(group)
            session.flush()
            click.echo(f"已添加群 {group.id}: {group.name} {group.masked_target}")
    except IntegrityError:
        raise click.ClickException("这个群机器人地址或群聊 id 已经登记过; 用 chengguan groups list 查看") from None


@groups_cli.command("list", help="列出工作群 (webhook 密钥已隐去)。")
def list_groups() -> None:
    from sqlalchemy import select

    from bot.cli import _ready_service
    from models.groups import GroupChat

    service = _ready_service()
    with service.sessions() as session:
        groups = session.scalars(select(GroupChat).order_by(GroupChat.id)).all()
        if not groups:
            click.echo("还没有工作群; 用 chengguan groups add --street 代码 --webhook 地址 添加")
        for g in groups:
            scope = "区级" if g.district else "街道" if g.street_id else "单位"
            state = "" if g.active else " (已停用)"
            click.echo(f"{g.id}\t{scope}\t{g.name}\t{g.kind}\t{g.masked_target}{state}")


@groups_cli.command("disable", help="停止向某个群发送 (记录保留)。")
@click.argument("group_id", type=int)
def disable(group_id: int) -> None:
    from bot.cli import _ready_service
    from bot.db import transaction
    from models.groups import GroupChat

    with transaction(_ready_service().sessions) as session:
        group = session.get(GroupChat, group_id)
        if group is None:
            raise click.BadParameter(f"没有群 {group_id}; 用 chengguan groups list 查看", param_hint="GROUP_ID")
        group.active = False
    click.echo(f"群 {group_id} 已停用")
