"""The scheduler runs once across hosts: two worker processes with two data dirs on one PostgreSQL,
each running every scheduled job of bot.scheduler at the same instant, and each effect happens once
(the digest reaches the group once, one nudge, one idle-draft notice, one retention run a day).

Every host runs every job (bot.scheduler); the jobs themselves take each effect once through row locks
and unique keys. SQLite is one file on one host, so the test is for PostgreSQL only."""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.privacy.job import KIND as RETENTION, queue_daily_run, todays_run
from bot.reminders.send import KIND as GROUP_SEND
from bot.reminders.standin import RobotStandIn, running_robot
from bot.service import Service
from models import CaseStatus, Conversation, OutboxJob, utcnow
from models.calendar import TZ
from models.calendar_days import CalendarDay
from models.outbox import JobStatus, enqueue
from tests.chat import mp_env
from tests.reminders.helpers import case_due, officer, street_with_group
from tests.scheduled_host import run_host

HOSTS = ("host-a", "host-b")
WAIT_S = 90  # two interpreters start on a shared, busy machine
RESIDENT = "o_idle_resident"
OFFICER = "zhangsan"  # the WeCom id tests.reminders.helpers.officer gives


@pytest.fixture
def robot() -> Iterator[RobotStandIn]:
    with running_robot() as stand_in:
        yield stand_in


def test_two_worker_processes_run_each_scheduled_job_once(service: Service, database_url, wechat_api, robot,  # type: ignore[no-untyped-def]
                                                          tmp_path) -> None:
    if service.engine.dialect.name != "postgresql":
        pytest.skip("two hosts share a database server, SQLite is a file on one host: "
                    "set CHENGGUAN_TEST_DATABASE_URL (PostgreSQL)")
    now = utcnow()
    local = now.astimezone(TZ)
    _seed(service, robot, now)
    wechat_api.user_wrote(RESIDENT)  # the customer-service window is open for the idle-draft notice
    digest_time = "00:00" if local.hour == 0 and local.minute < 30 else f"{(local - timedelta(minutes=30)):%H:%M}"
    env = {"WECOM_WEBHOOK_BASE": robot.url, "CHENGGUAN_DIGEST_TIME": digest_time}

    context = multiprocessing.get_context("spawn")
    built, go, stop, ran = context.Barrier(len(HOSTS) + 1), context.Event(), context.Event(), context.Queue()
    fire_at = context.Value("d", 0.0)
    hosts = [context.Process(target=run_host, daemon=True, name=name,
                             args=(name, {**mp_env(wechat_api, database_url, tmp_path / name), **env},
                                   fire_at, built, go, ran, stop))
             for name in HOSTS]
    for host in hosts:
        host.start()
    try:
        built.wait(WAIT_S)
        fire_at.value = time.time() + 0.5  # both built: the same instant for both schedulers
        go.set()
        runs = _collect_runs(ran, expected=len(HOSTS) * len(_job_ids(service)))
        _wait_until(lambda: robot.messages("key-jd01") and wechat_api.messages_to(OFFICER)
                    and wechat_api.messages_to(RESIDENT) and not _pending(service, GROUP_SEND))
    finally:
        stop.set()
        for host in hosts:
            host.join(30)
            if host.is_alive():
                host.kill()
    assert [host.exitcode for host in hosts] == [0, 0]

    assert sorted(runs) == sorted((name, job, None) for name in HOSTS for job in _job_ids(service))
    assert len(robot.messages("key-jd01")) == 1  # the group's digest, queued by one host, sent by one
    with service.sessions() as s:
        keys = list(s.scalars(select(OutboxJob.idempotency_key).where(OutboxJob.idempotency_key.is_not(None))))
        retention_runs = s.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.kind == RETENTION))
        idle = s.scalars(select(Conversation).where(Conversation.external_id == RESIDENT)).one()
    assert len([k for k in keys if k.startswith("nudge:")]) == 1
    assert len(wechat_api.messages_to(OFFICER)) == 1 and "到期提醒" in wechat_api.messages_to(OFFICER)[0]
    assert len([k for k in keys if k.startswith("expired:")]) == 1 and idle.flow is None
    assert len(wechat_api.messages_to(RESIDENT)) == 1 and "草稿已清除" in wechat_api.messages_to(RESIDENT)[0]
    assert retention_runs == (1 if todays_run(now) <= now else 0)  # due from 03:30 Shanghai time


def _seed(service: Service, robot: RobotStandIn, now) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        # today is a working day, whatever the calendar says (the digest goes out on working days only)
        s.add(CalendarDay(day=now.astimezone(TZ).date(), workday=True, source_file="test"))
        street_id = street_with_group(s, robot).street_id  # the group's street (their ids differ on a used database)
        zhang = officer(s, street_id, userid=OFFICER)
        case_due(s, street_id, now + timedelta(hours=1), assignee_id=zhang.id, status=CaseStatus.RECTIFYING)
        s.add(Conversation(channel="mp", external_id=RESIDENT, flow="report", state="photo", data={},
                           updated_at=now - timedelta(hours=3)))


def _job_ids(service: Service) -> list[str]:
    from bot.scheduler import build_scheduler

    return sorted(job.id for job in build_scheduler(service).get_jobs())


def _collect_runs(ran, expected: int) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    runs: list[tuple[str, str, str | None]] = []
    deadline = time.monotonic() + WAIT_S
    while len(runs) < expected and time.monotonic() < deadline:
        try:
            runs.append(ran.get(timeout=1))
        except queue.Empty:
            pass
    return runs


def _wait_until(condition) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_S
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)


def _pending(service: Service, kind: str) -> bool:
    with service.sessions() as s:
        return s.scalar(select(OutboxJob.id).where(OutboxJob.status == JobStatus.PENDING, OutboxJob.kind == kind)
                        .limit(1)) is not None


def test_a_retention_run_queued_meanwhile_by_another_host_is_no_error(service: Service) -> None:
    """The moment the two-process test can only hit by chance: host B's check finds no run while host A's
    insert is not yet committed, so B's insert waits on the unique key and then finds it taken."""
    if service.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers of one key: set CHENGGUAN_TEST_DATABASE_URL (PostgreSQL)")
    now = todays_run(utcnow()) + timedelta(minutes=1)
    errors: list[BaseException] = []

    def host_b() -> None:
        try:
            queue_daily_run(service, now)
        except BaseException as error:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(error)

    with service.sessions() as host_a, host_a.begin():
        queue_daily_run_in(host_a, now)
        other = threading.Thread(target=host_b)
        other.start()
        other.join(2)
        assert other.is_alive(), "host B should wait on host A's uncommitted key"
    other.join(WAIT_S)
    assert errors == []
    with service.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.kind == RETENTION)) == 1


def queue_daily_run_in(session, now) -> None:  # type: ignore[no-untyped-def]
    """What queue_daily_run writes, in the caller's open transaction."""
    at = todays_run(now)
    enqueue(session, RETENTION, {"at": at.isoformat()}, key=f"{RETENTION}:{at.astimezone(TZ).date().isoformat()}")
    session.flush()
