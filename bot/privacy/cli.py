"""`chengguan privacy report`: what personal data is held, per kind, and what the next daily run deletes."""

from __future__ import annotations

import click


@click.group(help="个人信息: 保存了什么、保存多久 (CHENGGUAN_RETENTION_DAYS)")
def privacy_cli() -> None:
    pass


@privacy_cli.command("report", help="按类列出保存的数据 (条数、最早一条) 和下次每日清理将删除的条目")
@click.option("--ids", is_flag=True, help="同时列出将删除的各条编号")
def report_cmd(ids: bool) -> None:
    from bot.cli import _ready_service
    from bot.privacy.job import next_run
    from bot.privacy.retention import holdings
    from models import utcnow
    from models.calendar import TZ

    service = _ready_service()
    retention = service.config.retention
    with service.sessions() as session:
        at = next_run(session, utcnow())
        rows = holdings(session, retention, at)
    click.echo(f"保存期限 (天): {retention.describe()}")
    click.echo(f"下次清理: {at.astimezone(TZ):%Y-%m-%d %H:%M}")
    for row in rows:
        oldest = f", 最早 {row.oldest.astimezone(TZ):%Y-%m-%d}" if row.oldest else ""
        click.echo(f"{row.kind.name} {row.kind.label}: 保存 {row.count} 条{oldest}; 下次删除 {len(row.due_ids)} 条")
        if ids and row.due_ids:
            click.echo("  " + " ".join(map(str, row.due_ids)))
