"""One worker host for tests/test_scheduler_hosts.py, in a process of its own (spawned): what
`chengguan worker` runs (the scheduler of bot.scheduler and the outbox workers) on its own data dir,
except that every scheduled job first fires at the instant the test chose, the same for every host,
instead of one interval after start."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

from bot.config import Config
from bot.jobs import job_handlers
from bot.scheduler import build_scheduler
from bot.service import Service
from bot.worker_pool import run_workers


def run_host(name: str, env: dict[str, str], fire_at: Any, built: Any, go: Any, ran: Any, stop: Any) -> None:
    service = Service.build(Config.from_env(env))
    scheduler = build_scheduler(service)

    def report(event: JobExecutionEvent) -> None:
        ran.put((name, event.job_id, repr(event.exception) if event.exception else None))

    scheduler.add_listener(report, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    built.wait(120)
    go.wait(120)  # the test has set the common instant
    when = datetime.fromtimestamp(fire_at.value, UTC)
    for job in scheduler.get_jobs():  # pending until start: modified in place
        job.modify(next_run_time=when)
    scheduler.start()
    try:
        run_workers(service, job_handlers(), 1, stop)
    finally:
        scheduler.shutdown(wait=True)
        service.dispose()
