"""`chengguan --help` and `chengguan photocheck pair` start without the heavy libraries: the subcommands
load on first use (bot.lazygroup), and the root listing shows their help from bot.cli.LAZY_COMMANDS."""

import subprocess
import sys

import pytest

HEAVY = {"sqlalchemy", "flask", "cv2", "numpy", "argon2", "wechatpy"}


def run_with_imports(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the CLI as a user does; return its result and the top-level packages it imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", *args],
                          capture_output=True, text=True, timeout=120)
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0]
                for line in done.stderr.splitlines() if line.startswith("import time:") and "|" in line}
    return done, imported


def test_root_help_imports_no_heavy_library() -> None:
    done, imported = run_with_imports("--help")
    assert done.returncode == 0 and "photocheck" in done.stdout and "platform" in done.stdout
    assert "bot" in imported  # the probe sees the imports at all
    assert imported & HEAVY == set()


@pytest.mark.parametrize("args", [("photocheck", "--help"), ("photocheck", "pair", "--help"), ("db", "--help")])
def test_light_groups_import_no_heavy_library(args: tuple[str, ...]) -> None:
    done, imported = run_with_imports(*args)
    assert done.returncode == 0 and "用法:" in done.stdout
    assert imported & HEAVY == set()


def test_a_named_command_is_loaded_and_translated() -> None:
    done, _ = run_with_imports("console", "--help")
    assert done.returncode == 0 and "add-admin" in done.stdout and "用法:" in done.stdout


def test_root_listing_shows_each_commands_own_help() -> None:
    from bot.cli import LAZY_COMMANDS, _attach_commands, cli

    _attach_commands()
    assert {name: cli.commands[name].help for name in LAZY_COMMANDS} == \
        {name: lazy.help for name, lazy in LAZY_COMMANDS.items()}
    assert not any(cli.commands[name].hidden for name in LAZY_COMMANDS)


def test_an_unknown_command_still_answers_in_chinese() -> None:
    done, _ = run_with_imports("nosuch")
    assert done.returncode != 0 and "没有命令 'nosuch'" in done.stderr


def test_the_worker_option_allows_what_the_worker_pool_can_run() -> None:
    from bot.cli import WORKER_THREADS_MAX
    from bot.worker_pool import MAX_CONCURRENCY

    assert WORKER_THREADS_MAX == MAX_CONCURRENCY
