"""Concurrent workers asking for the same poll slot end up with one poll job, and no failure."""

from __future__ import annotations

import threading

from bot.db import transaction
from bot.uplink.scheduling import schedule_poll
from models import utcnow
from tests.uplink.helpers import jobs


def test_racing_workers_queue_one_poll_per_slot(uplink) -> None:  # type: ignore[no-untyped-def]
    now, errors, barrier = utcnow(), [], threading.Barrier(4)

    def ask() -> None:
        try:
            with transaction(uplink.sessions) as s:
                barrier.wait()
                schedule_poll(s, 10, now)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(jobs(uplink, "open311.poll")) == 1
