"""`chengguan worker --concurrency N`: N threads that claim and run jobs side by side, each job once;
and on PostgreSQL, two worker hosts (two data dirs, one database) whose schedulers both fire the same
round: the digest goes out once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from bot.config import Config, ConfigError
from bot.db import transaction
from bot.jobs import job_handlers
from bot.reminders.schedule import run_digests
from bot.reminders.standin import RobotStandIn, running_robot
from bot.service import Service
from bot.worker_pool import run_workers
from models import JobStatus, OutboxJob
from models.outbox import enqueue
from tests.reminders.helpers import MONDAY, street_with_group

WAIT_S = 20


def run_until(service: Service, handlers, count: int, done: threading.Event) -> None:  # type: ignore[no-untyped-def]
    stop = threading.Event()
    runner = threading.Thread(target=run_workers, args=(service, handlers, count, stop))
    runner.start()
    done.wait(WAIT_S)
    stop.set()
    runner.join(WAIT_S)
    assert not runner.is_alive()


def test_n_workers_run_jobs_side_by_side_each_once(service: Service) -> None:
    if service.engine.dialect.name == "sqlite":
        pytest.skip("--concurrency above 1 is for PostgreSQL (set CHENGGUAN_TEST_DATABASE_URL)")
    with transaction(service.sessions) as s:
        for n in range(6):  # each worker claims up to three: both get some
            enqueue(s, "demo", {"n": n})
    together = threading.Barrier(2, timeout=WAIT_S)  # passes only when two jobs run at the same moment
    ran: list[tuple[int, str]] = []
    done = threading.Event()

    lock = threading.Lock()

    def handler(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        with lock:
            ran.append((payload["n"], threading.current_thread().name))
            order = len(ran)
        if order <= 2:
            together.wait()  # the first job of each worker: they meet here, or the barrier breaks
        if order == 6:
            done.set()

    run_until(service, {"demo": handler}, 2, done)
    assert sorted(n for n, _ in ran) == list(range(6))  # each job once
    assert {name for _, name in ran} == {"worker-1", "worker-2"}
    with service.sessions() as s:
        assert set(s.scalars(select(OutboxJob.status))) == {JobStatus.DONE}


def test_concurrency_needs_postgresql(tmp_path: Path) -> None:
    result = CliRunner(env={"CHENGGUAN_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}).invoke(cli, ["worker", "--concurrency", "2"])
    assert isinstance(result.exception, ConfigError) and "需要 PostgreSQL" in str(result.exception)
    assert CliRunner().invoke(cli, ["worker", "--concurrency", "9"]).exit_code == 2  # beyond the pool: refused by click


@pytest.fixture
def robot() -> Iterator[RobotStandIn]:
    with running_robot() as stand_in:
        yield stand_in


def test_two_worker_hosts_on_one_postgresql_send_the_digest_once(service, database_url, tmp_path, robot) -> None:  # type: ignore[no-untyped-def]
    if service.engine.dialect.name != "postgresql":
        pytest.skip("two hosts share a database server: set CHENGGUAN_TEST_DATABASE_URL (PostgreSQL)")
    hosts = [Service.build(Config.from_env({"DATABASE_URL": database_url, "WECOM_WEBHOOK_BASE": robot.url,
                                            "CHENGGUAN_DATA_DIR": str(tmp_path / name)})) for name in ("a", "b")]
    try:
        with service.sessions() as s, s.begin():
            street_with_group(s, robot)
        fired = threading.Barrier(2, timeout=WAIT_S)
        queued: list[int] = []

        def scheduler_round(host: Service) -> None:  # both schedulers fire the same minute
            fired.wait()
            queued.append(run_digests(host, MONDAY))

        rounds = [threading.Thread(target=scheduler_round, args=(host,)) for host in hosts]
        for thread in rounds:
            thread.start()
        for thread in rounds:
            thread.join(WAIT_S)
        assert sorted(queued) == [0, 1]

        delivered = threading.Event()
        watcher = threading.Thread(target=_wait_for, args=(lambda: robot.messages("key-jd01") and not _pending(service), delivered))
        watcher.start()
        workers = [threading.Thread(target=run_until, args=(host, job_handlers(), 2, delivered)) for host in hosts]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(WAIT_S * 2)
        watcher.join(WAIT_S)
        assert len(robot.messages("key-jd01")) == 1 and "10月12日 周一" in robot.messages("key-jd01")[0]["markdown"]["content"]
    finally:
        for host in hosts:
            host.dispose()


def _wait_for(condition, event: threading.Event) -> None:  # type: ignore[no-untyped-def]
    for _ in range(WAIT_S * 10):
        if condition():
            break
        event.wait(0.1)
    event.set()


def _pending(service: Service) -> bool:
    with service.sessions() as s:
        return s.scalar(select(OutboxJob.id).where(OutboxJob.status == JobStatus.PENDING).limit(1)) is not None
