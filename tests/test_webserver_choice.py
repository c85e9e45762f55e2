"""`CHENGGUAN_WEB_SERVER`: which HTTP server `chengguan serve` runs (bot.webserver); both serve the same app."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from bot.simulator.server import free_port, running_server
from bot.simulator.user import WeChatUser
from bot.webserver import SERVER_ENV, UnknownServer, chosen_server

TOKEN = "choice-token"


def test_granian_unless_another_is_named() -> None:
    assert chosen_server({}) == "granian"
    assert chosen_server({SERVER_ENV: " Gunicorn "}) == "gunicorn"
    with pytest.raises(UnknownServer, match="granian 或 gunicorn"):
        chosen_server({SERVER_ENV: "uwsgi"})


def test_serve_with_an_unknown_server_gives_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", SERVER_ENV: "uwsgi"}
    done = subprocess.run([sys.executable, "-m", "bot", "serve", "--port", str(free_port())], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"配置错误: {SERVER_ENV}=uwsgi: 可选 granian 或 gunicorn"]


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_each_server_answers_a_wechat_message_and_stops_on_sigterm(server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "WECHAT_TOKEN": TOKEN,
           "WECHAT_APP_ID": "wxchoice", "WECHAT_APP_SECRET": "s", "WECHAT_ENCODING_AES_KEY": "", SERVER_ENV: server}
    with running_server(env, tmp_path / "serve.log", timeout=60) as base:
        user = WeChatUser(base, TOKEN, f"o_choice_{server}")
        assert "使用说明" in user.send_text("帮助").text
        assert server in httpx.get(f"{base}/healthz").headers.get("server", "").lower()  # the one chosen answered
        web = [pid for pid in os.listdir("/proc") if pid.isdigit() and _is_web_child(pid, base)]
        assert web  # the supervised web child (and, under granian, its worker) serve the port
    # running_server sent SIGTERM to `serve`, which stops its web child: nothing is left on the port.
    assert not [pid for pid in web if os.path.exists(f"/proc/{pid}") and _state(pid) != "Z"]


def _is_web_child(pid: str, base: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    return "web" in args and base.rsplit(":", 1)[1] in args


def _state(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
