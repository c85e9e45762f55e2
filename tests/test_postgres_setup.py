"""Setting up on PostgreSQL: a missing driver is one line naming the fix, not a traceback; a web-only
server for hosts whose workers run apart."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.config import Config, ConfigError
from bot.simulator.server import free_port
from tests.conftest import REPO

FIX = "pip install '.[postgres]'"


def test_a_postgresql_url_without_the_driver_names_the_extra(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the [postgres] extra was not installed
    with pytest.raises(ConfigError, match=r"pip install '\.\[postgres\]'"):
        Config.from_env({"DATABASE_URL": "postgresql://cg:secret@127.0.0.1:1/chengguan"})


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["db", "upgrade"]])
def test_the_service_without_the_driver_stops_with_one_line(tmp_path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    program = ("import sys; sys.modules['psycopg'] = None; from bot.cli import main; "
               f"sys.argv = ['chengguan', *{command!r}]; main()")
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://cg:secret@127.0.0.1:1/chengguan",
             "CHENGGUAN_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert FIX in line and "psycopg" in line and "secret" not in line


def test_serve_web_only_runs_the_web_server_and_no_worker(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Beside workers run elsewhere (`chengguan worker`), as on PostgreSQL with several hosts."""
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--web-only", "--port", str(port)], cwd=REPO,
        env={**os.environ, "CHENGGUAN_DATA_DIR": str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    try:
        assert serve.stdout is not None
        assert "仅网页服务" in serve.stdout.readline().decode()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not healthy(port):
            time.sleep(0.2)
        assert healthy(port)
        children = Path(f"/proc/{serve.pid}/task/{serve.pid}/children").read_text().split()
        commands = [Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0") for child in children]
        assert [c[c.index(b"bot") + 1] for c in commands] == [b"web"]
    finally:
        serve.terminate()
        serve.wait(30)


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
