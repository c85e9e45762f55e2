"""The servers under test, each a context manager that yields the base URLs to spread messages over:

- `web_and_workers`: 2 × `chengguan serve --web-only` (two ports, two data dirs, as on two hosts) and
  2 × `chengguan worker` (two more data dirs), all on one PostgreSQL database and one bucket;
- `single_serve`: one `chengguan serve` (web process plus its embedded worker) on the same server;
- `echo`: bench.webhook's baseline, a Flask endpoint that only checks the signature and echoes.

Separate `serve --web-only` processes rather than one gunicorn with two workers: that is what two app
hosts behind nginx run (docs/deploy.md), each with its own data dir and its own process tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bot.simulator.server import free_port, running_server
from bot.startup import wait_until_answering
from bot.supervisor import BOT_COMMAND, WORKER_NICENESS, stop_child

TOKEN = "bench-token"
ECHO_THREADS = 8  # as `chengguan serve` defaults to
READY_LINE = "chengguan worker 已启动"


def host_env(common: dict[str, str], data_dir: Path) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return {**common, "CHENGGUAN_DATA_DIR": str(data_dir)}


@contextmanager
def web_and_workers(common: dict[str, str], root: Path, webs: int = 2, workers: int = 2) -> Iterator[list[str]]:
    with ExitStack() as stack:
        bases = [stack.enter_context(running_server(host_env(common, root / f"web-{n}"), root / f"web-{n}.log",
                                                    extra_args=("--web-only",)))
                 for n in range(1, webs + 1)]
        for n in range(1, workers + 1):
            stack.enter_context(worker_process(host_env(common, root / f"worker-{n}"), root / f"worker-{n}.log"))
        yield bases


@contextmanager
def single_serve(common: dict[str, str], root: Path) -> Iterator[list[str]]:
    with running_server(host_env(common, root / "serve"), root / "serve.log") as base:
        yield [base]


@contextmanager
def worker_process(env: dict[str, str], log_path: Path, timeout: float = 120) -> Iterator[None]:
    """`chengguan worker`, at the priority `chengguan serve` gives its own worker (photo analysis in a lower-priority
    child: bot.analysis); ready once it says so."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen([*BOT_COMMAND, "worker"], env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT, preexec_fn=lambda: os.nice(WORKER_NICENESS))
        try:
            deadline = time.monotonic() + timeout
            while READY_LINE not in log_path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chengguan worker did not start:\n{log_path.read_text(errors='replace')[-2000:]}")
                time.sleep(0.2)
            yield
        finally:
            stop_child(process, timeout=15)


@contextmanager
def echo() -> Iterator[list[str]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.webhook.baseline", TOKEN, str(port), str(ECHO_THREADS)])
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_answering(f"{base}/healthz", alive=lambda: process.poll() is None):
            raise RuntimeError(f"the echo baseline exited with {process.returncode}")
        yield [base]
    finally:
        process.terminate()
        process.wait(timeout=10)
