"""The uplink against real servers on loopback: our own `chengguan serve` in a second process, and a
`chengguan worker` process killed in the middle of a send and started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text, update

from bot.config import Config
from bot.db import transaction
from bot.service import Service
from bot.uplink.client import Open311Client
from bot.uplink.services import sync_services
from models import AuditEvent, Base, CaseStatus, JobStatus, OutboxJob
from tests.open311.conftest import check
from bot.simulator.server import running_server
from tests.uplink.helpers import accepted_cases, drain, jobs, map_category, take_steps, uplink_config
from tests.uplink.standin import StandIn

S = CaseStatus


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot", *args], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[0]


@pytest.fixture
def our_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Our GeoReport server (embedded SQLite in its own folder) with a normal and a batch key."""
    env = {"CHENGGUAN_DATA_DIR": str(tmp_path / "platform"), "DATABASE_URL": ""}
    keys = {"plain": _cli(env, "platform", "add-key", "district"),
            "batch": _cli(env, "platform", "add-key", "district-batch", "--batch")}
    with running_server(env, tmp_path / "platform.log") as base:
        yield base, keys, tmp_path / "platform" / "chengguan.db"


@pytest.fixture
def services() -> Iterator[Callable[[Config], Service]]:
    """Builds Services on the test database; every table is emptied afterwards, whatever the test did."""
    built: list[Service] = []

    def build(config: Config) -> Service:
        built.append(Service.build(config))
        return built[-1]

    yield build
    for service in built:
        with service.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
        service.engine.dispose()


def _client_service(build: Callable[[Config], Service], database_url: str, data_dir: Path, base: str,
                    key: str) -> Service:
    service = build(uplink_config(database_url, data_dir, PLATFORM_OPEN311_URL=f"{base}/open311/v2",
                                  PLATFORM_API_KEY=key))
    with Open311Client(service.config.platform) as client, transaction(service.sessions) as s:
        report = sync_services(s, client.services())
    assert ("E0102", "E0102") in report.mapped
    return service


@pytest.mark.parametrize("key_kind", ["plain", "batch"])
def test_every_case_reaches_our_own_server_once(our_server, services, database_url, tmp_path, key_kind) -> None:  # type: ignore[no-untyped-def]
    base, keys, platform_db = our_server
    service = _client_service(services, database_url, tmp_path / "data", base, keys[key_kind])
    numbers = accepted_cases(service, 6)
    take_steps(service, numbers[0], S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED, S.CLOSED)
    drain(service)
    drain(service)  # nothing left to send: a second run sends nothing more
    listed = check("requests", httpx.get(f"{base}/open311/v2/requests.json", headers={"X-Api-Key": keys[key_kind]}).json())
    for number in numbers:
        assert sum(number in (item["description"] or "") for item in listed) == 1
    assert len(listed) == 6
    engine = create_engine(f"sqlite:///{platform_db}")
    try:
        with engine.connect() as c:
            updates = c.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "open311_update"))
    finally:
        engine.dispose()
    assert updates == 2  # verify and close of the first case
    if key_kind == "batch":
        assert [j.status for j in jobs(service, "open311.token")] == [JobStatus.DONE] * 6


def test_worker_killed_mid_send_and_restarted_sends_every_case_once(standin, services, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data"),
           "PLATFORM_OPEN311_URL": standin.url, "PLATFORM_API_KEY": "standin-key",
           "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9", "CHENGGUAN_SECRET_KEY": "test-secret",
           "PLATFORM_TIMEOUT_SECONDS": "5"}
    service = services(uplink_config(database_url, tmp_path / "data", PLATFORM_OPEN311_URL=standin.url,
                                     PLATFORM_API_KEY="standin-key"))
    map_category(service)
    numbers = accepted_cases(service, 12)
    standin.faults.slow = 1.0
    with open(tmp_path / "worker.log", "wb") as log:
        killed_after = _kill_mid_send_and_restart(standin, service, env, log, tmp_path / "worker.log")
    assert [standin.count(n) for n in numbers] == [1] * 12, (tmp_path / "worker.log").read_text()
    assert standin.posts == 12 and killed_after >= 3


def _kill_mid_send_and_restart(standin: StandIn, service: Service, env: dict[str, str], log: BinaryIO,
                               log_path: Path) -> int:
    """Kill a worker process while the platform holds a request, start another; POSTs sent before the kill."""
    worker = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env={**os.environ, **env},
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (standin.posts >= 3 and standin.in_flight.is_set()):
            assert time.monotonic() < deadline and worker.poll() is None, log_path.read_text()
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)  # mid-send: the platform has the request, we have no answer
        worker.wait(10)
        killed_after = standin.posts
        standin.faults.slow = 0
        with transaction(service.sessions) as s:  # the dead worker's leases run out
            s.execute(update(OutboxJob).where(OutboxJob.status == JobStatus.PENDING)
                      .values(locked_until=None, next_try_at=text("next_try_at")))
        worker = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env={**os.environ, **env},
                                  stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while any(j.status != JobStatus.DONE for j in jobs(service, "open311.push")):
            assert time.monotonic() < deadline and worker.poll() is None, log_path.read_text()
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(10)
    return killed_after


def test_our_own_server_is_found_to_take_updates_and_tokens(our_server, services, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """GET servicerequestupdates answers 405 there (POST only) and an unknown token 404 naming the token."""
    from bot.uplink.capabilities import current
    from bot.uplink.refresh import refresh_platform

    base, keys, _db = our_server
    service = services(uplink_config(database_url, tmp_path / "data", PLATFORM_OPEN311_URL=f"{base}/open311/v2",
                                     PLATFORM_API_KEY=keys["plain"]))
    report, summary = refresh_platform(service)
    with service.sessions() as s:
        found = current(s)
    assert report.services > 50 and (found.discovery, found.updates, found.tokens) == (True, "yes", "yes")
    assert summary.startswith("平台能力: 状态更新支持, token 查询支持")
