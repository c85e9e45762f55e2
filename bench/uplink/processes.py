"""Drain the queued pushes with k worker processes (what `chengguan worker` runs), to a stand-in platform
or, for the bare loop, with a handler that does nothing: the same claims and completions without HTTP."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

from bench.uplink.run import DELIVERY_KINDS, Drain, count_jobs
from bench.uplink.setup import stand_in_service
from bot.jobs import job_handlers
from bot.worker import BatchContext, Claimed, JobKind, Worker
from models import JobStatus

BATCH = 50


def drain_with_processes(kind: str, database_url: str, data_dir: Path, platform_url: str, items: int,
                         workers: int, *, bare: bool = False, timeout: float = 1800) -> Drain:
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    ready = context.Barrier(workers + 1)
    cpu = context.Queue()
    args = (kind, database_url, str(data_dir), platform_url, bare, stop, ready, cpu)
    processes = [context.Process(target=_work, args=args, daemon=True) for _ in range(workers)]
    for process in processes:
        process.start()
    service = stand_in_service(kind, database_url, data_dir, platform_url)
    try:
        ready.wait(120)  # all imported and connected: the clock measures draining, not start-up
        started, own_cpu = time.perf_counter(), time.process_time()
        while time.perf_counter() - started < timeout and count_jobs(service, JobStatus.PENDING) > 0:
            time.sleep(0.2)
        seconds, platform_cpu = time.perf_counter() - started, time.process_time() - own_cpu
    finally:
        stop.set()
        worker_cpu = sum(cpu.get(timeout=60) for _ in processes)
        for process in processes:
            process.join(30)
    done, parked = count_jobs(service, JobStatus.DONE), count_jobs(service, JobStatus.PARKED)
    service.engine.dispose()
    return Drain(items, workers, seconds, done, parked, worker_cpu, platform_cpu)


def _work(kind: str, database_url: str, data_dir: str, platform_url: str, bare: bool, stop: Any, ready: Any,
          cpu: Any) -> None:
    service = stand_in_service(kind, database_url, Path(data_dir), platform_url)
    handlers: dict[str, Any] = dict.fromkeys(DELIVERY_KINDS, BARE) if bare else dict(job_handlers())
    worker = Worker(service, handlers, batch=BATCH)
    worker.beat()
    ready.wait(120)
    started = time.process_time()
    worker.run_forever(stop)
    cpu.put(time.process_time() - started)  # the drain's CPU (and a last idle poll or two)
    service.engine.dispose()


def _nothing(ctx: Any, payload: dict[str, Any]) -> None:
    """The bare loop's job: claimed and completed, nothing sent."""


def _nothing_for_each(batch: BatchContext, jobs: list[Claimed]) -> dict[int, BaseException]:
    """The bare loop's batch: every job done, completed together like a batch of pushes."""
    return {}


BARE = JobKind(_nothing, run_batch=_nothing_for_each)
