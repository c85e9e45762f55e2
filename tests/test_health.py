"""/healthz: 200 when the database takes a write and the worker (if one ever ran) beats; otherwise 503 with
a Chinese reason. The write probe is rolled back: nothing stays behind."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot import __version__
from bot.app import create_app
from bot.db import transaction
from bot.jobs import job_handlers
from bot.worker import Worker
from models import Heartbeat
from models.base import utcnow
from models.heartbeat import WORKER, beat


@pytest.fixture
def client(service):  # type: ignore[no-untyped-def]
    return create_app(service=service).test_client()


def heartbeats(service) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return {h.name: h.beat_at for h in s.scalars(select(Heartbeat))}


def test_healthy_without_a_worker_and_the_probe_leaves_nothing(client, service) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/healthz")
    assert (answer.status_code, answer.get_json()) == (
        200, {"status": "ok", "database": "ok", "worker": "none", "version": __version__})
    assert heartbeats(service) == {}


def test_a_running_worker_beats_and_a_silent_one_degrades(client, service) -> None:  # type: ignore[no-untyped-def]
    stop = threading.Event()
    runner = threading.Thread(target=Worker(service, job_handlers()).run_forever, args=(stop,), daemon=True)
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while WORKER not in heartbeats(service) and time.monotonic() < deadline:
            stop.wait(0.05)
    finally:
        stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive() and WORKER in heartbeats(service)
    assert client.get("/healthz").get_json()["worker"] == "ok"

    with transaction(service.sessions) as s:
        beat(s, WORKER, utcnow() - timedelta(minutes=7, seconds=30))
    answer = client.get("/healthz")
    assert (answer.status_code, answer.get_json()) == (503, {
        "status": "degraded", "database": "ok", "worker": "stale", "version": __version__,
        "reason": "后台任务 (worker) 已 7 分钟没有心跳; 请检查 chengguan worker 进程是否在运行"})


def test_a_database_that_reads_but_refuses_writes_is_degraded(client, service) -> None:  # type: ignore[no-untyped-def]
    # What a read-only standby after a failover, or a read-only database file, does: SELECT works,
    # every write is refused by the database itself.
    read_only = ("PRAGMA query_only = ON" if service.engine.dialect.name == "sqlite"
                 else "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    @event.listens_for(service.engine, "connect")
    def refuse_writes(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute(read_only)
        cursor.close()
        dbapi_connection.commit()  # PostgreSQL undoes a SET in a transaction that is rolled back

    service.engine.dispose()  # new connections, each read-only
    try:
        answer = client.get("/healthz")
    finally:
        event.remove(service.engine, "connect", refuse_writes)
        service.engine.dispose()
    body = answer.get_json()
    assert answer.status_code == 503 and body["status"] == "degraded" and body["worker"] == "none"
    assert body["database"] in ("error: OperationalError", "error: InternalError")  # SQLite / PostgreSQL
    assert body["reason"] == (f"数据库无法写入 ({body['database'][len('error: '):]}); "
                              "请检查数据库服务、磁盘空间和 DATABASE_URL 的写权限")
    assert client.get("/healthz").status_code == 200  # writable again
