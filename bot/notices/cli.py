"""`chengguan notices stuck`: notices to residents that no channel could deliver (or whose send was
interrupted), with the reason; `chengguan jobs retry` sends one again once the resident can be reached."""

from __future__ import annotations

import click


@click.group(help="给市民的通知 (已受理、不予受理、已办结、满意度评价)")
def notices_cli() -> None:
    pass


@notices_cli.command("stuck", help="无法送达的通知及原因")
def stuck_cmd() -> None:
    from sqlalchemy import select

    from bot.notices.content import LABELS
    from bot.notices.queue import KIND
    from bot.uplink.cli import _service
    from models import Case
    from models.calendar import TZ
    from models.outbox import JobStatus, OutboxJob

    with _service().sessions() as session:
        rows = session.execute(
            select(OutboxJob, Case.number).join(Case, Case.id == OutboxJob.payload["case_id"].as_integer(), isouter=True)
            .where(OutboxJob.kind == KIND, OutboxJob.status == JobStatus.PARKED).order_by(OutboxJob.id)
        ).all()
    if not rows:
        click.echo("没有未送达的通知。")
        return
    for job, number in rows:
        label = LABELS.get(job.payload.get("notice", ""), job.payload.get("notice", "?"))
        click.echo(f"任务 {job.id} 案件 {number or '?'} 「{label}」 发给 {job.payload.get('to', '?')} "
                   f"(建于 {job.created_at.astimezone(TZ):%m-%d %H:%M})\n  原因: {(job.last_error or '')[:400]}")
    click.echo(f"共 {len(rows)} 条。无法送达的通知在居民再次发消息后一分钟内自动重发; 也可运行 chengguan jobs retry 任务编号。")
