"""`chengguan jobs …`: outbox jobs parked for a person to decide (a send interrupted mid-call, a job
that used up its attempts), and sending them again once decided."""

from __future__ import annotations

import click


@click.group(help="等待人工决定的后台任务 (被搁置的任务)。")
def jobs_cli() -> None:
    pass


@jobs_cli.command("parked", help="列出被搁置的任务及原因。")
@click.option("--kind", default=None, help="只列这一类, 如 notify.text")
def parked_cmd(kind: str | None) -> None:
    from sqlalchemy import select

    from bot.uplink.cli import _service
    from models.calendar import TZ
    from models.outbox import JobStatus, OutboxJob

    with _service().sessions() as session:
        query = select(OutboxJob).where(OutboxJob.status == JobStatus.PARKED).order_by(OutboxJob.id)
        jobs = session.scalars(query.where(OutboxJob.kind == kind) if kind else query).all()
    if not jobs:
        click.echo("没有被搁置的任务。")
        return
    for job in jobs:
        to = f" 发给 {job.payload['to']}" if isinstance(job.payload.get("to"), str) else ""
        click.echo(f"任务 {job.id} {job.kind}{to} (建于 {job.created_at.astimezone(TZ):%m-%d %H:%M}, "
                   f"已试 {job.attempts} 次)\n  原因: {(job.last_error or '')[:300]}")
    click.echo("确认后运行 chengguan jobs retry 任务编号 重新执行。")


@jobs_cli.command("retry", help="重新运行指定的被搁置任务 (发送类: 仅在对方确实没有收到时)。")
@click.argument("job_ids", nargs=-1, type=int, required=True)
def retry_cmd(job_ids: tuple[int, ...]) -> None:
    from sqlalchemy import select

    from bot.db import transaction
    from bot.jobs import job_handlers
    from bot.uplink.cli import _service
    from bot.worker import DEFAULT_MAX_ATTEMPTS
    from models.outbox import JobStatus, OutboxJob, requeue

    kinds = job_handlers()
    with transaction(_service().sessions) as session:
        jobs = session.scalars(select(OutboxJob).where(
            OutboxJob.id.in_(job_ids), OutboxJob.status == JobStatus.PARKED)).all()
        for job in jobs:
            requeue(job, kinds[job.kind].max_attempts if job.kind in kinds else DEFAULT_MAX_ATTEMPTS)
    missing = sorted(set(job_ids) - {job.id for job in jobs})
    if jobs:
        click.echo(f"已重新排队 {len(jobs)} 项")
    if missing:
        raise click.ClickException(f"这些任务不存在或未被搁置: {' '.join(map(str, missing))}; "
                                   "用 chengguan jobs parked 查看")
