"""A real `chengguan worker` process told to stop (SIGTERM, as systemd and `serve` do) in the middle of a
batch: it finishes the push in hand, gives back the jobs of its batch it had not started, and exits within
10 s. Nothing is lost and nothing is sent twice: another worker files the rest, each case once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from bot.service import Service
from models import JobStatus, OutboxJob
from tests.uplink.helpers import accepted_cases, drain
from tests.uplink.standin import StandIn

GRACE_S = 10
WAIT_S = 60
SLOW_POST_S = 4.0  # the claimed batch (3) pushed one after another would take longer than the grace


def test_sigterm_finishes_the_job_in_hand_and_releases_the_rest_of_the_batch(  # type: ignore[no-untyped-def]
    uplink: Service, standin: StandIn, database_url: str, tmp_path: Path,
) -> None:
    numbers = accepted_cases(uplink, 6)
    standin.faults.slow = SLOW_POST_S  # each POST is answered after a while: the stop arrives mid-call
    env = {**os.environ, "DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data"),
           "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9", "CHENGGUAN_SECRET_KEY": "test-secret",
           "PLATFORM_OPEN311_URL": standin.url, "PLATFORM_API_KEY": "standin-key",
           "PLATFORM_JURISDICTION_ID": "test.gov.cn", "PLATFORM_TIMEOUT_SECONDS": "8"}
    worker = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert standin.in_flight.wait(WAIT_S), "the worker never pushed"
        with uplink.sessions() as s:
            held = set(s.scalars(select(OutboxJob.id).where(OutboxJob.locked_until.is_not(None))))
        assert len(held) >= 2, "the worker claims a batch"
        worker.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        assert worker.wait(GRACE_S) == 0
        assert time.monotonic() - signalled < GRACE_S
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(WAIT_S)

    posted = standin.posts
    with uplink.sessions() as s:
        pushes = s.scalars(select(OutboxJob).where(OutboxJob.kind == "open311.push")).all()
    done = [j for j in pushes if j.status == JobStatus.DONE]
    pending = [j for j in pushes if j.status == JobStatus.PENDING]
    assert len(done) == posted >= 1  # the push in hand was finished and recorded, not abandoned mid-call
    given_back = [j for j in pending if j.id in held]
    assert given_back, "the batch had jobs left to give back"
    # given back at once, and the claim cost them no attempt
    assert all(j.locked_until is None and j.sending_at is None and j.attempts == 0 for j in pending)

    standin.faults.slow = 0
    drain(uplink)
    assert [standin.count(n) for n in numbers] == [1] * len(numbers)
