"""`serve` starts its children from the installed package, not from a `bot` folder in the current directory."""

from __future__ import annotations

import threading

import pytest

from bot.supervisor import ChildProcess


def test_a_bot_folder_in_the_working_directory_is_not_imported(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    shadow = tmp_path / "bot"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("")
    (shadow / "__main__.py").write_text(f"open({str(tmp_path / 'shadow-ran')!r}, 'w').close()\n")
    monkeypatch.chdir(tmp_path)
    exited = threading.Event()
    child = ChildProcess("version", ["--version"], on_early_exit=exited)
    child.start()
    assert exited.wait(60)
    child.stop()
    assert child.early_exit_code == 0  # the real `chengguan --version`
    assert not (tmp_path / "shadow-ran").exists()
