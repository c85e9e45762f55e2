"""The heartbeat that keeps a worker's job leases alive while it works through its batch.

Leases are short (CHENGGUAN_JOB_LEASE_SECONDS), so the jobs of a worker killed mid-job are taken
again soon; a live worker renews them several times per lease, however long a job runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from models.outbox import renew_leases

log = logging.getLogger(__name__)

BEATS_PER_LEASE = 4


class HeldJobs:
    """The ids of the claimed jobs that have no outcome yet."""

    def __init__(self, job_ids: list[int]) -> None:
        self._ids, self._lock = set(job_ids), threading.Lock()

    def release(self, job_id: int) -> None:
        with self._lock:
            self._ids.discard(job_id)

    def snapshot(self) -> list[int]:
        with self._lock:
            return sorted(self._ids)


@contextmanager
def heartbeat(sessions: sessionmaker[Session], job_ids: list[int], lease: timedelta) -> Iterator[HeldJobs]:
    held = HeldJobs(job_ids)
    stop = threading.Event()

    def beat() -> None:
        interval = lease.total_seconds() / BEATS_PER_LEASE
        while not stop.wait(interval):
            ids = held.snapshot()
            if not ids:
                return
            try:
                with transaction(sessions) as session:
                    renew_leases(session, ids, lease)
            except Exception:  # the database may be briefly unavailable; the next beat tries again
                log.warning("could not renew the leases of jobs %s", ids, exc_info=True)

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield held
    finally:
        stop.set()
        thread.join()
