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


@click.group(help="City platform uplink (Open311 GeoReport v2 / webhook) and our own GeoReport server.")
def platform_cli() -> None:
    pass


@platform_cli.command("sync-services", help="Fetch the platform's services.json and map categories to it.")
def sync_services_cmd() -> None:
    from bot.uplink.client import Open311Client, PlatformRejected, PlatformUnavailable
    from bot.uplink.services import sync_services

    service = _service()
    if not service.config.platform.open311_enabled:
        raise ConfigError("PLATFORM_OPEN311_URL is not set; set it to the platform's GeoReport v2 address")
    try:
        with Open311Client(service.config.platform) as client:
            items = client.services()
    except (PlatformUnavailable, PlatformRejected) as exc:
        raise click.ClickException(f"读取平台服务列表失败: {exc}") from exc
    with transaction(service.sessions) as session:
        report = sync_services(session, items)
    click.echo(f"平台服务 {report.services} 项; 已对应分类 {len(report.mapped)} 项; 未对应 {len(report.unmapped)} 项")
    if report.removed:
        click.echo("平台已删除的服务代码: " + ", ".join(report.removed))
    if report.unmapped:
        click.echo("未对应的分类 (用 chengguan platform map 分类代码 服务代码 补上): " + ", ".join(report.unmapped))


@platform_cli.command("map", help="Map one category such as E0102 to a platform service_code, by hand.")
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


@platform_cli.command("mappings", help="List the category -> service_code table.")
def mappings_cmd() -> None:
    with _service().sessions() as session:
        # .all(): dict() of a Result would take it for a mapping (it has .keys()) and index it
        names = dict(session.execute(select(PlatformService.service_code, PlatformService.service_name)).all())
        for m in session.scalars(select(ServiceMapping).order_by(ServiceMapping.category_code)):
            click.echo(f"{m.category_code}\t{m.service_code}\t{names.get(m.service_code, '?')}\t{'手工' if m.manual else '自动'}")


@platform_cli.command("add-key", help="Create an API key for our GeoReport server; it is shown once.")
@click.argument("name")
@click.option("--batch", is_flag=True, help="answer POST requests with a token (GeoReport batch mode)")
def add_key_cmd(name: str, batch: bool) -> None:
    from bot.open311.keys import create_key

    with transaction(_service().sessions) as session:
        try:
            key = create_key(session, name, batch=batch)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(key)
    click.echo(f"已为 {name} 创建密钥 (只显示这一次, 请妥善转交)。", err=True)


@platform_cli.command("revoke-key", help="Stop accepting an API key.")
@click.argument("name")
def revoke_key_cmd(name: str) -> None:
    from bot.open311.keys import revoke_key

    with transaction(_service().sessions) as session:
        if not revoke_key(session, name):
            raise click.ClickException(f"没有名为 {name} 的密钥")
    click.echo(f"已停用 {name} 的密钥")


@platform_cli.command("stuck", help="List uplink items that are parked, retried many times, or returned.")
@click.option("--min-attempts", default=5, show_default=True, type=int)
def stuck_cmd(min_attempts: int) -> None:
    from bot.uplink.stuck import stuck_items, summary_text

    with _service().sessions() as session:
        click.echo(summary_text(stuck_items(session, min_attempts)))


@platform_cli.command("retry", help="Send parked uplink jobs again (all of them, or the given job ids).")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--resend", is_flag=True,
              help="skip the check whether the platform already has the case (after you checked it by hand)")
def retry_cmd(job_ids: tuple[int, ...], resend: bool) -> None:
    from bot.jobs import UPLINK_ATTEMPTS
    from bot.uplink.jobs import KINDS
    from models.outbox import requeue

    with transaction(_service().sessions) as session:
        query = select(OutboxJob).where(OutboxJob.kind.in_(KINDS), OutboxJob.status == JobStatus.PARKED)
        if job_ids:
            query = query.where(OutboxJob.id.in_(job_ids))
        jobs = list(session.scalars(query))
        for job in jobs:
            requeue(job, UPLINK_ATTEMPTS)
            if resend:
                job.payload = {**job.payload, "skip_lookup": True}
    click.echo(f"已重新排队 {len(jobs)} 项" if jobs else "没有被搁置的上报任务")


@platform_cli.command("poll", help="Ask the platform now for the status of every open case we filed.")
def poll_cmd() -> None:
    from bot.uplink.client import Open311Client
    from bot.uplink.poll import poll_once

    service = _service()
    if not service.config.platform.open311_enabled:
        raise ConfigError("PLATFORM_OPEN311_URL is not set; nothing to poll")
    with Open311Client(service.config.platform) as client, transaction(service.sessions) as session:
        remaining = poll_once(session, client)
    click.echo(f"已查询; 仍未结案 {remaining} 件")

