"""`chengguan platform …`: the service-code table, API keys of our server, stuck items, retries."""

from __future__ import annotations

import click
from sqlalchemy import select

from bot.config import ConfigError
from bot.db import transaction
from bot.service import Service
from models.outbox import JobStatus, OutboxJob
from models.platform import PlatformService, ServiceMapping


def _service() -> Service:
    from bot.cli import _ready_service  # migrates the embedded default, checks a server database

    return _ready_service()


@click.group(help="上报城市平台 (Open311 GeoReport v2 / webhook) 及本服务的 GeoReport 接口。")
def platform_cli() -> None:
    pass


@platform_cli.command("sync-services",
                      help="读取平台的 services.json 和它支持的功能, 把本系统的类别对应到平台服务代码。")
def sync_services_cmd() -> None:
    from bot.uplink.capability_text import unmapped_line
    from bot.uplink.client import PlatformRejected, PlatformUnavailable
    from bot.uplink.refresh import refresh_platform

    service = _service()
    if not service.config.platform.open311_enabled:
        raise ConfigError("未设置 PLATFORM_OPEN311_URL: 请设为平台的 GeoReport v2 地址")
    try:
        report, capabilities = refresh_platform(service)
    except (PlatformUnavailable, PlatformRejected) as exc:
        raise click.ClickException(f"读取平台服务列表失败: {exc}") from exc
    click.echo(f"平台服务 {report.services} 项; 已对应分类 {len(report.mapped)} 项; 未对应 {len(report.unmapped)} 项")
    if report.removed:
        click.echo("平台已删除的服务代码: " + ", ".join(report.removed))
    if report.unmapped:
        click.echo(unmapped_line(report.unmapped))
    click.echo(capabilities)


@platform_cli.command("capabilities", help="显示平台支持的功能 (同步时检查, 上报时得知); --set 手工指定。")
@click.option("--set", "settings", multiple=True, metavar="名称=值",
              help="如 address_field=address, updates=no, media=upload, page_size=100 (同步不会覆盖)")
def capabilities_cmd(settings: tuple[str, ...]) -> None:
    from bot.uplink.capabilities import current, set_by_hand
    from bot.uplink.capability_text import capability_lines

    with transaction(_service().sessions) as session:
        for setting in settings:
            name, _, value = setting.partition("=")
            try:
                set_by_hand(session, name.strip(), value.strip())
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        row = current(session)
        if row.id is None and not settings:
            click.echo("尚未检查平台能力: 运行 chengguan platform sync-services")
            return
        for line in capability_lines(row):
            click.echo(line)


@platform_cli.command("map", help="手工把一个类别 (如 E0102) 对应到平台服务代码。")
@click.argument("category_code")
@click.argument("service_code")
def map_cmd(category_code: str, service_code: str) -> None:
    from bot.uplink.services import set_mapping

    with transaction(_service().sessions) as session:
        try:
            mapping = set_mapping(session, category_code, service_code)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{mapping.category_code} -> {mapping.service_code} (手工对应, 同步不会覆盖)")


@platform_cli.command("mappings", help="列出类别 -> 平台服务代码对应表。")
def mappings_cmd() -> None:
    with _service().sessions() as session:
        # .all(): dict() of a Result would take it for a mapping (it has .keys()) and index it
        names = dict(session.execute(select(PlatformService.service_code, PlatformService.service_name)).all())
        mappings = session.scalars(select(ServiceMapping).order_by(ServiceMapping.category_code)).all()
        if not mappings:
            click.echo("还没有类别对应: 运行 chengguan platform sync-services, 或 chengguan platform map 分类代码 服务代码")
        for m in mappings:
            click.echo(f"{m.category_code}\t{m.service_code}\t{names.get(m.service_code, '?')}\t{'手工' if m.manual else '自动'}")


@platform_cli.command("add-key", help="为本服务的 GeoReport 接口创建 API 密钥 (只显示一次)。")
@click.argument("name")
@click.option("--batch", is_flag=True, help="POST 请求只回复 token (GeoReport 批量模式)")
@click.option("--private", is_flag=True, help="可读取未脱敏的案件 (市民原文、精确位置、原图); 仅限有权处理个人信息的系统")
def add_key_cmd(name: str, batch: bool, private: bool) -> None:
    from bot.open311.keys import create_key

    with transaction(_service().sessions) as session:
        try:
            key = create_key(session, name, batch=batch, private=private)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(key)
    click.echo(f"已为 {name} 创建密钥 (只显示这一次, 请妥善转交)。", err=True)


@platform_cli.command("revoke-key", help="停用一个 API 密钥。")
@click.argument("name")
def revoke_key_cmd(name: str) -> None:
    from bot.open311.keys import revoke_key

    with transaction(_service().sessions) as session:
        if not revoke_key(session, name):
            raise click.ClickException(f"没有名为 {name} 的密钥")
    click.echo(f"已停用 {name} 的密钥")


@platform_cli.command("stuck", help="列出被搁置、多次重试或被平台退回的上报任务。")
@click.option("--min-attempts", default=5, show_default=True, type=int, help="重试达到这个次数就列出")
def stuck_cmd(min_attempts: int) -> None:
    from bot.uplink.stuck import stuck_items, summary_text

    with _service().sessions() as session:
        click.echo(summary_text(stuck_items(session, min_attempts)))


@platform_cli.command("retry", help="重新发送被搁置的上报任务 (全部, 或指定的任务编号)。")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--resend", is_flag=True,
              help="跳过 \"平台上是否已有此案件\" 的检查 (已人工核实后使用)")
def retry_cmd(job_ids: tuple[int, ...], resend: bool) -> None:
    from bot.jobs import UPLINK_ATTEMPTS
    from bot.uplink.hopeless import closed_by_platform, why_hopeless
    from bot.uplink.jobs import KINDS
    from bot.uplink.server_errors import without_streak
    from models.outbox import requeue

    with transaction(_service().sessions) as session:
        query = select(OutboxJob).where(OutboxJob.kind.in_(KINDS), OutboxJob.status == JobStatus.PARKED)
        if job_ids:
            query = query.where(OutboxJob.id.in_(job_ids))
        jobs = list(session.scalars(query.order_by(OutboxJob.id)))
        closed = closed_by_platform(session, (job.payload.get("case_id") for job in jobs))
        queued = 0
        for job in jobs:
            why = why_hopeless(session, job, closed)
            if why:
                click.echo(f"任务 {job.id} 未重发: {why}")
                continue
            requeue(job, UPLINK_ATTEMPTS)
            job.payload = {**without_streak(job.payload), **({"skip_lookup": True} if resend else {})}
            queued += 1
    click.echo(f"已重新排队 {queued} 项" if queued or jobs else "没有被搁置的上报任务")


@platform_cli.command("poll", help="立即向平台查询所有未结案件的状态。")
def poll_cmd() -> None:
    from bot.uplink.client import Open311Client
    from bot.uplink.poll import poll_once

    service = _service()
    if not service.config.platform.open311_enabled:
        raise ConfigError("未设置 PLATFORM_OPEN311_URL, 无可查询的平台")
    with Open311Client(service.config.platform) as client, transaction(service.sessions) as session:
        remaining = poll_once(session, client)
    click.echo(f"已查询; 仍未结案 {remaining} 件")

