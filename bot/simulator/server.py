"""Start a real `chengguan serve` process on a free loopback port (chat simulator, end-to-end tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.supervisor import BOT_COMMAND


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(env: Mapping[str, str], log_path: Path, timeout: float = 30.0, extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """Yields the base URL once /healthz answers; stops the process (and fails loudly) afterwards."""
    port = free_port()
    full_env = {**os.environ, **env}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*BOT_COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
            env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, process, log_path, timeout)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"server did not become healthy in {timeout}s:\n{log_path.read_text()}")
