"""`chengguan chat`, as a person without a WeChat account uses it: lines typed in, replies printed."""

from __future__ import annotations

import subprocess
import sys

from tests.photos import photo_file


def test_chat_reports_a_problem_end_to_end(tmp_path) -> None:  # type: ignore[no-untyped-def]
    picture = photo_file(tmp_path, "chelsea")
    typed = "\n".join([
        "/subscribe", f"/photo {picture}", "/loc 39.9087 116.3975 天安门东", "路边有人占道经营", "1", "确认", "查询", "/quit",
    ]) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--data-dir", str(tmp_path / "var")],
        input=typed, capture_output=True, text=True, timeout=120,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "感谢关注" in out and "已收到第1张照片" in out and "街面秩序/占道经营" in out
    assert "上报成功! 案件编号: " in out
    number = out.split("案件编号: ")[1].split()[0]
    assert out.count(number) >= 2  # also listed by 查询
