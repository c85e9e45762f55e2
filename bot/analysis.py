"""The worker's CPU-heavy photo analysis, in a child process at the lowest priority.

The worker itself runs at normal priority because it takes SQLite's write lock (bot.writelock): at nice
10 a worker preempted inside its short store transaction held every webhook behind the lock for tens of
ms (bench.webhook, #19). The decode, fingerprint and features of a photo (40-65 ms of CPU each) hold no
lock, so they run here under SCHED_IDLE: the child gets a core only when no normal task wants it, so under
load the CPU goes to answering WeChat first. Nice 10 was weaker than that: Linux's scheduler still gives
a nice-10 task about a tenth of a busy core and lets it finish its slice. Where SCHED_IDLE is not to be
had (not Linux) the child runs at nice ANALYSIS_NICENESS; `CHENGGUAN_ANALYSIS_PRIORITY=nice` chooses nice.

Off unless started (`chengguan worker` starts it): tests and one-off commands analyse in their own process.
The functions the child runs live here, so it imports this module and photocheck, not the worker's stack.
A crash of the child (out of memory, a native library's fault) raises AnalysisCrashed: the job fails this
attempt and is retried with back-off; the next call gets a new child.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from photocheck import Fingerprint, Thresholds, Verdict

log = logging.getLogger(__name__)

ANALYSIS_NICENESS = 10
PRIORITY_ENV = "CHENGGUAN_ANALYSIS_PRIORITY"
PRIORITIES = ("idle", "nice")  # SCHED_IDLE (the default) | nice ANALYSIS_NICENESS
T = TypeVar("T")


class UnknownPriority(ValueError):
    pass


def idle_chosen(env: Mapping[str, str] | None = None) -> bool:
    """True unless CHENGGUAN_ANALYSIS_PRIORITY says nice; any other value is an error, not a quiet default."""
    name = (env if env is not None else os.environ).get(PRIORITY_ENV, "").strip().lower() or PRIORITIES[0]
    if name not in PRIORITIES:
        raise UnknownPriority(f"{PRIORITY_ENV}={name}: 可选 {' 或 '.join(PRIORITIES)}")
    return name == "idle"


class AnalysisCrashed(Exception):
    """The analysis child died while working on this job's photo: retried like any failure."""


class _Child:
    def __init__(self, niceness: int, processes: int, idle: bool) -> None:
        self.niceness, self.processes, self.idle = niceness, processes, idle
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the worker has threads (heartbeats, scheduler) a fork would copy mid-state
                self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_prepare_child, initargs=(self.niceness, os.getpid(), self.idle))
                self._pool.submit(os.getpid)  # start it now: the first photo need not wait for its imports
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


def _prepare_child(niceness: int, parent: int, idle: bool) -> None:
    if not (idle and _schedule_idle()):
        os.nice(niceness)
    # A worker killed outright (SIGKILL, out of memory) closes no pipe the child reads (it holds both ends
    # of its call queue), so the child would wait for work for ever: it leaves once its parent is gone.
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="orphan-watch", daemon=True).start()
    import photocheck.featureblob  # noqa: F401  (OpenCV and NumPy, imported before the first photo)


def _schedule_idle() -> bool:
    """This process under SCHED_IDLE; False where the platform has no such policy."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        return False
    return True


def _exit_when_orphaned(parent: int, interval: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)


def start(niceness: int = ANALYSIS_NICENESS, processes: int = 1, idle: bool | None = None) -> None:
    """From now on `run` hands its calls to child processes under SCHED_IDLE, or at `niceness` when `idle` is
    False or the platform has no SCHED_IDLE (`idle` None: as CHENGGUAN_ANALYSIS_PRIORITY says); started here,
    in the background; one per worker thread, so `chengguan worker --concurrency N` analyses N photos at once."""
    global _child
    if idle is None:
        idle = idle_chosen()
    if _child is None:
        _child = _Child(niceness, processes, idle)
        _child.pool()


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


@dataclass(frozen=True)
class Refusal:
    """ImageRejected as a value: the exception does not survive pickling back from the child."""

    code: str
    message_zh: str
    detail: str


def describe_photo(data: bytes, max_bytes: int, max_pixels: int) -> tuple[Fingerprint, bytes] | Refusal:
    """photocheck's fingerprint and features blob of a new photo, or why it is refused."""
    from photocheck import ImageRejected
    from photocheck.featureblob import describe

    try:
        return describe(data, max_bytes=max_bytes, max_pixels=max_pixels)
    except ImageRejected as exc:
        return Refusal(exc.code, exc.message_zh, exc.detail)


@dataclass(frozen=True)
class RectificationInputs:
    """check_rectification's arguments as plain data."""

    problem: bytes
    rectified: bytes
    earlier: list[tuple[int, Fingerprint]]
    not_before: datetime | None
    expected_location: tuple[float, float] | None
    thresholds: Thresholds
    problem_features: bytes | None
    rectified_features: bytes
    earlier_bytes: dict[int, bytes] = field(default_factory=dict)  # the candidate copies, read from the store


def check_rectification_photo(inputs: RectificationInputs) -> Verdict | Refusal:
    from photocheck import ImageRejected, check_rectification

    try:
        return check_rectification(
            inputs.problem, inputs.rectified, earlier=inputs.earlier, not_before=inputs.not_before,
            expected_location=inputs.expected_location, thresholds=inputs.thresholds,
            problem_features=inputs.problem_features, rectified_features=inputs.rectified_features,
            fetch_earlier=inputs.earlier_bytes.get,
        )
    except ImageRejected as exc:
        return Refusal(exc.code, exc.message_zh, exc.detail)
