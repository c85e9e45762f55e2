"""The chart's Chinese font comes from the pinned pip package; with no usable font at all, `report month
--chart` prints one Chinese line naming the fix, not a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from bot import cli as cli_module
from bot.reports import fonts
from tests.assessment import data


def test_the_font_package_ships_a_font_that_draws_the_charts_text() -> None:
    path = fonts.packaged_font_file()
    assert path is not None and path.stat().st_size > 1_000_000
    face = FT2Font(str(path))
    assert all(face.get_char_index(ord(ch)) for ch in "综合得分街道责任单位排名本月无可排名数据")
    fonts.chinese_font.cache_clear()
    assert fonts.chinese_font() == "Noto Sans SC"


def test_without_any_chinese_font_the_command_says_how_to_get_one(session, config, monkeypatch, capsys,
                                                                     tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data.build(session)
    session.commit()
    monkeypatch.setenv("DATABASE_URL", config.database_url)
    monkeypatch.setenv("CHENGGUAN_DATA_DIR", str(config.data_dir))
    monkeypatch.setattr(fonts, "packaged_font_file", lambda: None)
    latin_only = [f for f in font_manager.fontManager.ttflist if f.name == "DejaVu Sans"]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)
    fonts.chinese_font.cache_clear()
    chart = tmp_path / "c.png"
    monkeypatch.setattr(sys, "argv", ["chengguan", "report", "month", "2026-11", "--chart", str(chart)])
    try:
        with pytest.raises(SystemExit) as exited:
            cli_module.main()
    finally:
        fonts.chinese_font.cache_clear()
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.strip() == "图表需要中文字体: 请运行 pip install pylopdf-fonts-zh-cn (或安装系统字体 fonts-noto-cjk) 后重试"
    assert not chart.exists()
