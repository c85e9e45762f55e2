"""Drain the queued pushes with 1..k worker threads (the throughput to our own server), and the counts
of delivery jobs that both drains read."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.jobs import job_handlers
from bot.service import Service
from bot.worker import Worker
from models import JobStatus, OutboxJob
from models.platform import PlatformDelivery


DELIVERY_KINDS = ("open311.push", "open311.token", "vendor.push")  # delivered when all are done (token: peer-like)


@dataclass
class Drain:
    items: int
    workers: int
    seconds: float
    done: int
    parked: int
    worker_cpu: float = 0.0  # CPU seconds of the worker processes while draining
    platform_cpu: float = 0.0  # CPU seconds of the benchmark's process (the stand-in platform) meanwhile

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0  # cases delivered per second


def drain(service: Service, items: int, workers: int, timeout: float = 1800) -> Drain:
    stop = threading.Event()
    threads = [threading.Thread(target=_work, args=(Worker(service, job_handlers(), batch=20), stop))
               for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        while time.perf_counter() - started < timeout:
            if count_jobs(service, JobStatus.PENDING) == 0:
                break
            time.sleep(0.5)  # rarely: the monitor must not compete with the workers for the database
    finally:
        seconds = time.perf_counter() - started
        stop.set()
        for thread in threads:
            thread.join()
    return Drain(items, workers, seconds, count_jobs(service, JobStatus.DONE), count_jobs(service, JobStatus.PARKED))


def _work(worker: Worker, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            ran = worker.run_once()
        except Exception:  # a busy database (SQLite's single writer); the next round retries
            ran = 0
        if ran == 0:
            stop.wait(0.02)


def resolved(service: Service) -> int:
    """Cases whose platform request id is known (a token answered by the peer-like platform resolved)."""
    with service.sessions() as s:
        return s.scalar(select(func.count()).select_from(PlatformDelivery)
                        .where(PlatformDelivery.service_request_id.is_not(None))) or 0


def count_jobs(service: Service, status: JobStatus) -> int:
    with service.sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboxJob)
                        .where(OutboxJob.kind.in_(DELIVERY_KINDS), OutboxJob.status == status)) or 0
