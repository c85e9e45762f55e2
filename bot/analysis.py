"""The worker's CPU-heavy photo analysis, in a child process at low priority.

The worker itself runs at normal priority because it takes SQLite's write lock (bot.writelock): at nice
10 a worker preempted inside its short store transaction held every webhook behind the lock for tens of
ms (bench.webhook, #19). The decode, fingerprint and features of a photo (40-65 ms of CPU each) hold no
lock, so they run here at ANALYSIS_NICENESS: under load the CPU still goes to answering WeChat first.

Off unless started (`chengguan worker` starts it): tests and one-off commands analyse in their own process.
A crash of the child (out of memory, a native library's fault) raises AnalysisCrashed: the job fails this
attempt and is retried with back-off; the next call gets a new child.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

ANALYSIS_NICENESS = 10
T = TypeVar("T")


class AnalysisCrashed(Exception):
    """The analysis child died while working on this job's photo: retried like any failure."""


class _Child:
    def __init__(self, niceness: int) -> None:
        self.niceness = niceness
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the worker has threads (heartbeats, scheduler) a fork would copy mid-state
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=os.nice, initargs=(self.niceness,))
            return self._pool

    def discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_child: _Child | None = None


def start(niceness: int = ANALYSIS_NICENESS) -> None:
    """From now on `run` hands its calls to a child process at `niceness` (started at the first call)."""
    global _child
    if _child is None:
        _child = _Child(niceness)


def stop() -> None:
    global _child
    child, _child = _child, None
    if child is not None:
        child.stop()


def run(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """function(*args, **kwargs) in the analysis child when started, else here. Its exceptions reach the
    caller as raised; a crash of the child raises AnalysisCrashed."""
    child = _child
    if child is None:
        return function(*args, **kwargs)
    pool = child.pool()
    try:
        return pool.submit(function, *args, **kwargs).result()
    except BrokenProcessPool as exc:
        log.error("the photo analysis process died; the job is retried, a new process takes the next one")
        child.discard(pool)
        raise AnalysisCrashed("图片分析进程中止") from exc
