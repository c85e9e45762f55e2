"""`chengguan serve` runs the web server and the worker as two child processes and watches over them.

Children, not threads: photo checks are CPU work, and in one Python process they would hold the
interpreter lock that the webhook threads need to answer WeChat within its 5-second window. The web
server is a child too because gunicorn's master process owns its signals and reaps every child it
sees, which would steal the worker's exit status from this supervisor.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)

PARENT_ENV = "CHENGGUAN_SUPERVISOR"
WORKER_NICENESS = 0  # the worker takes the write lock; its photo analysis runs under SCHED_IDLE (bot.analysis)
STARTUP_GRACE_S = 10.0  # a web server that dies this soon after starting will not come up by retrying


def exit_when_orphaned(interval: float = 1.0) -> None:
    """In a supervised child: send ourselves SIGTERM once the supervisor is gone, so no child outlives it."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != int(parent):
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


# -P: the child imports the installed package, never a `bot` folder in the current directory (#18).
BOT_COMMAND = [sys.executable, "-P", "-m", "bot"]



def stop_child(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM, then SIGKILL if the process has not ended within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()

class ChildProcess:
    """`python -m bot <args>`, restarted when it dies, stopped with SIGTERM (then SIGKILL) on stop()."""

    def __init__(self, name: str, args: list[str], *, niceness: int = 0, restart_delay: float = 2.0,
                 on_early_exit: threading.Event | None = None) -> None:
        self.name, self.args, self.niceness, self.restart_delay = name, args, niceness, restart_delay
        self.on_early_exit = on_early_exit  # set (instead of restarting) when the first start fails at once
        self.early_exit_code: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name=f"{name}-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._process is not None and self._process.poll() is None:
            stop_child(self._process, timeout=15)

    def _spawn(self) -> None:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        lower = (lambda: os.nice(self.niceness)) if self.niceness else None
        # Own session: a Ctrl-C in the terminal reaches only the supervisor, which then stops the
        # children in order (otherwise they die at once and the watcher reports them as crashed).
        self._process = subprocess.Popen([*BOT_COMMAND, *self.args], env=env, preexec_fn=lower,
                                         start_new_session=True)
        self._started = time.monotonic()

    def _watch(self) -> None:
        first = True
        while not self._stopping.is_set():
            assert self._process is not None
            code = self._process.wait()
            if self._stopping.is_set():
                return
            if first and self.on_early_exit is not None and time.monotonic() - self._started < STARTUP_GRACE_S:
                self.early_exit_code = code
                self.on_early_exit.set()
                return
            first = False
            log.error("%s exited with %s; restarting in %.0f s", self.name, code, self.restart_delay)
            if self._stopping.wait(self.restart_delay):
                return
            self._spawn()
