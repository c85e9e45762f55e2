"""`chengguan serve` runs the worker (and its scheduler) as a child process it watches over.

A child, not a thread: photo checks are CPU work, and in one Python process they would hold the
interpreter lock that the webhook threads need to answer WeChat within its 5-second window.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

log = logging.getLogger(__name__)

PARENT_ENV = "CHENGGUAN_WORKER_PARENT"
WORKER_NICENESS = 10


def stop_when_orphaned(stop: threading.Event, interval: float = 1.0) -> None:
    """In a supervised worker: set `stop` once the parent is gone, so no worker outlives its server."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return

    def watch() -> None:
        while not stop.wait(interval):
            if os.getppid() != int(parent):
                stop.set()

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


class WorkerProcess:
    def __init__(self, restart_delay: float = 2.0) -> None:
        self.restart_delay = restart_delay
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def _spawn(self) -> None:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        # Lower priority: under load the CPU goes to answering WeChat first; photo work may lag a
        # little (media stay downloadable for three days), a webhook reply may not.
        self._process = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env, preexec_fn=_lower_priority)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            assert self._process is not None
            code = self._process.wait()
            if self._stopping.is_set():
                return
            log.error("worker exited with %s; restarting in %.0f s", code, self.restart_delay)
            if self._stopping.wait(self.restart_delay):
                return
            self._spawn()
