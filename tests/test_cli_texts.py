"""One language for people: every help text and message of the `chengguan` CLI is Chinese; admin commands
print their result and nothing else unless -v; serve says where it listens once it answers, which channels
are configured, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import click
import httpx
import pytest
from click.testing import CliRunner

from bot.app import PLAIN_MODE_WARNING, create_app
from bot.cli import _attach_commands, cli
from bot.config import Config, ConfigError
from bot.simulator.server import free_port

CJK = re.compile(r"[\u4e00-\u9fff]")


def _commands(group: click.Command, path: str = "chengguan") -> Iterator[tuple[str, click.Command]]:
    yield path, group
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            if not command.hidden:
                yield from _commands(command, f"{path} {name}")


def test_every_command_and_option_explains_itself_in_chinese() -> None:
    _attach_commands()
    untranslated = []
    for path, command in _commands(cli):
        if not CJK.search(command.help or command.short_help or ""):
            untranslated.append(path)
        for param in command.params:
            if isinstance(param, click.Option) and not CJK.search(param.help or ""):
                untranslated.append(f"{path} {param.opts[-1]}")
    assert untranslated == []


def test_click_frame_is_chinese_too() -> None:
    _attach_commands()
    result = CliRunner().invoke(cli, ["units", "add", "--help"])
    assert result.output.startswith("用法: cli units add [选项] CODE NAME\n")
    assert "添加责任单位" in result.output and "显示帮助并退出" in result.output
    missing = CliRunner().invoke(cli, ["units", "add"])
    assert missing.exit_code == 2 and "错误: 缺少参数 'CODE'" in missing.output


def test_command_listing_shows_whole_short_help() -> None:
    _attach_commands()
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert "month  某月的综合评价与排名 (如 2026-11), 可另存台账和排名图。" in result.output


def test_photocheck_index_names_its_argument_as_the_help_does() -> None:
    _attach_commands()
    result = CliRunner().invoke(cli, ["photocheck", "index", "--help"])
    assert "用法: cli photocheck index [选项] 路径…" in result.output
    assert "为路径… (文件夹或照片文件) 中的照片计算指纹" in result.output


def run_cli(*args: str, data_dir: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHENGGUAN_DATA_DIR": data_dir, "DATABASE_URL": ""}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=120, env=env)


def test_admin_commands_are_quiet_unless_verbose(tmp_path) -> None:  # type: ignore[no-untyped-def]
    quiet = run_cli("db", "upgrade", data_dir=str(tmp_path / "a"))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "数据库已升级到最新版本\n", "")
    listed = run_cli("groups", "list", data_dir=str(tmp_path / "a"))
    assert (listed.stdout, listed.stderr) == ("还没有工作群; 用 chengguan groups add --street 代码 --webhook 地址 添加\n", "")
    verbose = run_cli("-v", "db", "upgrade", data_dir=str(tmp_path / "b"))
    assert verbose.returncode == 0 and "alembic.runtime.migration" in verbose.stderr


def test_webhook_without_its_settings_answers_what_to_set(service) -> None:  # type: ignore[no-untyped-def]
    client = create_app(service=service).test_client()
    for path, setting in (("/wechat/mp", "WECHAT_TOKEN"), ("/wechat/work", "WECOM_CORP_ID")):
        response = client.get(path)
        assert response.status_code == 503 and response.mimetype == "text/plain"
        text = response.get_data(as_text=True)
        assert setting in text and "后重启服务" in text and f"http://localhost{path}" in text


def test_serve_speaks_once_it_answers_and_stops_cleanly_on_ctrl_c(tmp_path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {**os.environ, "CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "WECHAT_TOKEN": "t0ken"}
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        first = server.stdout.readline()  # blocks until serve says it is up
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)  # ... and then it already answers
        lines = [server.stdout.readline().strip() for _ in range(3)]
        while (line := server.stdout.readline().strip()) != "按 Ctrl-C 停止":
            assert line.startswith("注意: ")  # a calendar warning, when the next year is still provisional
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert first.startswith(f"chengguan ") and f"已启动: http://127.0.0.1:{port}" in first
    assert health.status_code == 200
    base = f"http://127.0.0.1:{port}"
    assert lines == [
        f"公众号 (市民): 已配置 (明文模式, 仅供开发; 正式使用请设置 WECHAT_ENCODING_AES_KEY), 服务器地址 {base}/wechat/mp",
        f"企业微信 (工作人员) 未配置: 设置 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET、WECOM_TOKEN、"
        f"WECOM_ENCODING_AES_KEY 后重启服务, 再在应用的接收消息设置中填 {base}/wechat/work",
        "城市平台上报未配置 (可选): 设置 PLATFORM_OPEN311_URL 和 PLATFORM_API_KEY (或 PLATFORM_WEBHOOK_URL), "
        "以及 CHENGGUAN_PUBLIC_URL",
    ]
    assert server.returncode == 0
    assert out == "正在停止…\n已停止\n"
    # the web server's one warning, about plain mode, in Chinese too
    assert [line.split("bot.app: ", 1)[-1] for line in err.splitlines()] == [PLAIN_MODE_WARNING]


@pytest.mark.parametrize("env", [
    {"DATABASE_URL": "mysql://db/x"}, {"WECHAT_ENCODING_AES_KEY": "short"},
    {"CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES": "0"}, {"CHENGGUAN_NUDGE_LEAD_MINUTES": "soon"},
    {"CHENGGUAN_DIGEST_TIME": "8h"}, {"CHENGGUAN_PHOTOCHECK_THRESHOLDS": "[1]"},
    {"PLATFORM_OPEN311_URL": "ftp://p"}, {"PLATFORM_OPEN311_URL": "https://p/v2"},
    {"PLATFORM_WEBHOOK_URL": "https://p/hook"}, {"WECOM_WEBHOOK_BASE": "qyapi"},
    {"CHENGGUAN_PHOTO_HOSTS": "http://mmbiz.qpic.cn/"},
])
def test_a_bad_setting_is_explained_in_chinese(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as error:
        Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), **env})
    assert CJK.search(str(error.value)) and next(iter(env)) in str(error.value)
