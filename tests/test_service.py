"""The service as a newcomer meets it: a real `chengguan serve` process, its health check, its CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from bot import __version__
from bot.config import Config, ConfigError
from bot.simulator.server import free_port, running_server
from tests.databases import fresh_database


def test_serve_migrates_the_embedded_default_and_answers_healthz(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": ""}
    with running_server(env, tmp_path / "serve.log") as base:
        body = wait_for_worker_beat(base)
        missing = httpx.get(f"{base}/no-such-page")
    assert body == {"status": "ok", "database": "ok", "worker": "ok", "version": __version__}
    assert (tmp_path / "var" / "chengguan.db").exists() and (tmp_path / "var" / "photos").is_dir()
    assert missing.status_code == 404 and "Traceback" not in missing.text


def wait_for_worker_beat(base: str, timeout: float = 30.0) -> dict[str, str]:
    """/healthz's answer once serve's worker child has beaten (it starts a moment after the web server)."""
    import time

    deadline = time.monotonic() + timeout
    while (body := httpx.get(f"{base}/healthz").json())["worker"] == "none" and time.monotonic() < deadline:
        time.sleep(0.1)
    return body


def test_serve_on_the_test_database(database_url, service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # `service` only for its teardown: serve's worker child beats into the shared test database, and a
    # heartbeat left there made later tests see a running worker.
    env = {"CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": database_url}
    with running_server(env, tmp_path / "serve.log") as base:
        assert httpx.get(f"{base}/healthz").json()["database"] == "ok"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


# Every command and subcommand a user can type (README's table); `web` is serve's hidden child.
COMMANDS = {
    "calendar": ["import", "show"], "chat": [], "console": ["add-admin", "set-password"], "notices": ["stuck"], "wechat": ["menu"], "db": ["upgrade"], "doctor": [], "jobs": ["parked", "retry"], "groups": ["add", "disable", "list"], "photocheck": ["index", "pair"],
    "platform": ["add-key", "capabilities", "map", "mappings", "poll", "retry", "revoke-key", "stuck", "sync-services"],
    "report": ["month"], "serve": [], "staff": ["add", "import", "remove"], "privacy": ["report"], "streets": ["import"], "grids": ["import"], "units": ["add", "route"],
    "worker": [],
}


def listed_commands(help_text: str) -> list[str]:
    """The names in the "命令:" (Commands) section of the --help output."""
    section = help_text.split("\n命令:\n", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.split()]


def test_help_lists_every_command() -> None:
    import click
    from click.testing import CliRunner

    from bot.cli import _attach_commands, cli

    _attach_commands()
    tree = {name: sorted(sub.commands) if isinstance(sub, click.Group) else []
            for name, sub in cli.commands.items() if not sub.hidden}
    assert tree == COMMANDS
    result = run_cli("--help")  # the installed entry point, as a user runs it
    assert result.returncode == 0 and listed_commands(result.stdout) == sorted(COMMANDS)
    runner = CliRunner()
    for group, subcommands in COMMANDS.items():
        if subcommands:
            sub = runner.invoke(cli, [group, "--help"])
            assert sub.exit_code == 0 and listed_commands(sub.stdout) == subcommands, group


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL"),
        ({"WECHAT_ENCODING_AES_KEY": "short"}, "WECHAT_ENCODING_AES_KEY"),
        ({"CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES": "soon"}, "CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES"),
    ],
)
def test_a_bad_setting_gives_one_clear_line(env, names, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("db", "upgrade", env={"CHENGGUAN_DATA_DIR": str(tmp_path), **env})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("配置错误") and names in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_gives_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "CHENGGUAN_DATA_DIR": str(tmp_path)}
    result = run_cli("worker", env=env)
    assert result.returncode == 3
    assert result.stderr.strip().startswith("数据库连接失败") and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(
    not os.environ.get("CHENGGUAN_TEST_DATABASE_URL"),
    reason="needs a PostgreSQL server (the CI's second pass sets CHENGGUAN_TEST_DATABASE_URL)",
)
def test_server_database_must_be_upgraded_on_purpose(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with fresh_database(os.environ["CHENGGUAN_TEST_DATABASE_URL"], prefix="chengguan_empty", migrate=False) as url:
        result = run_cli("worker", env={"DATABASE_URL": url, "CHENGGUAN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "chengguan db upgrade" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_builds_an_empty_database_then_is_a_no_op(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, inspect

    from alembic.script import ScriptDirectory

    from bot.migrate import alembic_config, pending
    from models import Base

    server = os.environ.get("CHENGGUAN_TEST_DATABASE_URL")  # the same on PostgreSQL in the CI's second pass
    with fresh_database(server, prefix="chengguan_upgrade", migrate=False) as url:
        env = {"DATABASE_URL": url, "CHENGGUAN_DATA_DIR": str(tmp_path)}
        first, again = run_cli("-v", "db", "upgrade", env=env), run_cli("-v", "db", "upgrade", env=env)
        engine = create_engine(Config.from_env(env).database_url)
        try:
            tables, behind = set(inspect(engine).get_table_names()), pending(engine)
        finally:
            engine.dispose()
    assert (first.returncode, first.stdout) == (0, "数据库已升级到最新版本\n")
    # one "Running upgrade A -> B" line per migration (merges list both parents): every revision ran once
    applied = [line.split(" -> ", 1)[1].split(",")[0] for line in first.stderr.splitlines() if "Running upgrade" in line]
    script = ScriptDirectory.from_config(alembic_config(url))
    assert sorted(applied) == sorted(r.revision for r in script.walk_revisions())
    assert (again.returncode, again.stdout) == (0, "数据库已升级到最新版本\n") and "Running upgrade" not in again.stderr
    assert tables == set(Base.metadata.tables) | {"alembic_version"} and not behind


def test_config_defaults_need_no_server(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'chengguan.db'}"
    assert config.photo_dir == tmp_path / "photos"
    assert not config.wechat.safe_mode and not config.wecom.enabled


def test_postgres_urls_use_psycopg3() -> None:
    for url in ("postgres://u@h/d", "postgresql://u@h/d"):
        assert Config.from_env({"DATABASE_URL": url}).database_url == "postgresql+psycopg://u@h/d"


def test_unwritable_data_dir_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="CHENGGUAN_DATA_DIR"):
        Config.from_env({"CHENGGUAN_DATA_DIR": str(blocker / "sub")}).ensure_dirs()


def _children(pid: int) -> list[int]:
    """Child processes of `pid`, whichever of its threads started them."""
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(p) for p in f.read().split()]
    return found


def _workers(pid: int) -> list[int]:
    """The outbox worker among serve's children (the other one is the web server's process)."""
    return [child for child in _children(pid) if _cmdline(str(child)).endswith("\0bot\0worker\0")]


def test_serve_runs_and_restarts_its_worker_and_stops_it_on_exit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import signal
    import time

    port = free_port()
    env = {**os.environ, "CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": ""}
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _workers(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        (worker,) = _workers(server.pid)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _workers(server.pid) in ([], [worker]) and time.monotonic() < deadline:
            time.sleep(0.1)
        (restarted,) = _workers(server.pid)
        assert restarted != worker
    finally:
        server.terminate()
        server.wait(timeout=20)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{restarted}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{restarted}") or open(f"/proc/{restarted}/stat").read().split()[2] == "Z"


def test_serve_on_a_taken_port_stops_with_a_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": ""}
        done = subprocess.run([sys.executable, "-m", "bot", "serve", "--port", str(port)], env=env,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"配置错误: 端口 {port} 已被占用: 换一个端口, 如 chengguan serve --port {port + 1}"]
    assert done.stdout == ""
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and f"--port\0{port}\0" in _cmdline(pid)]
    assert left == []  # the web child gave up and was not restarted


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""
