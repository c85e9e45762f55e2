"""Start a real `chengguan serve` process on a free loopback port (chat simulator, end-to-end tests)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bot.startup import INSTANCE_ENV, wait_until_answering

from bot.supervisor import BOT_COMMAND, stop_child


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerDied(RuntimeError):
    def __init__(self, code: int, log_path: Path, tail: str) -> None:
        super().__init__(f"server exited with {code}:\n{tail}")
        self.code, self.log_path, self.tail = code, log_path, tail


@contextmanager
def running_server(env: Mapping[str, str], log_path: Path, timeout: float | None = 120.0,
                   extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """Yields the base URL once /healthz answers; stops the process afterwards. Waits until then or until
    the process dies (ServerDied, with its log's tail); `timeout` None waits for as long as it lives."""
    port = free_port()
    instance = secrets.token_hex(8)  # another process may take the port before ours binds it: know our answer
    full_env = {**os.environ, **env, INSTANCE_ENV: instance}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*BOT_COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
            env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, process, log_path, timeout, instance)
            yield base
        finally:
            stop_child(process, timeout=10)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float | None,
                  instance: str) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout

    def alive() -> bool:
        return process.poll() is None and (deadline is None or time.monotonic() < deadline)

    if wait_until_answering(f"{base}/healthz", alive, instance=instance):
        return
    if process.poll() is not None:
        raise ServerDied(process.returncode, log_path, _tail(log_path))
    raise TimeoutError(f"server did not become healthy in {timeout}s:\n{_tail(log_path)}")


def _tail(log_path: Path, lines: int = 15) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
