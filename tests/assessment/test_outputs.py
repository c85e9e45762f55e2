"""The Excel ledger opens with openpyxl with the expected sheets and totals; the chart renders; the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bot.assessment.period import Month
from bot.assessment.report import build_report
from bot.cli import _attach_commands, cli
from bot.reports.chart import ranking_png
from bot.reports.ledger import CASE_HEADERS, write_ledger
from tests.assessment import data

NOV = Month(2026, 11)


def test_ledger_has_ranking_cases_and_one_sheet_per_street(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data.build(session)
    path = tmp_path / "台账.xlsx"
    write_ledger(build_report(session, NOV), path)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["街道排名", "单位排名", "案件台账", "东街街道", "西街街道"]
    ranking = list(book["街道排名"].iter_rows(values_only=True))
    assert ranking[1][:4] == ("排名", "较上月", "名称", "得分")
    assert [r[2] for r in ranking[2:]] == ["西街街道", "东街街道", "全区合计"]
    header = ranking[1]
    total = dict(zip(header, ranking[-1], strict=True))
    assert (total["应结案"], total["挂起"], total["结案"], total["按期结案"], total["返工3次+"]) == (6, 1, 3, 2, 1)
    east = dict(zip(header, ranking[3], strict=True))
    assert (east["排名"], east["较上月"], east["结案率"], east["按期结案率"]) == (2, "↓1", 0.5, 0.25)  # numbers (see test_ledger_numbers)
    assert east["返工率"] == pytest.approx(1 / 3)
    cases = list(book["案件台账"].iter_rows(values_only=True))
    assert cases[0] == CASE_HEADERS and len(cases) == 1 + 8
    c2 = dict(zip(CASE_HEADERS, next(r for r in cases if r[0] == "C002"), strict=True))
    assert (c2["是否按期"], c2["返工次数(截至月末)"], c2["满意度"], c2["分类"]) == ("超期", 3, "未评价", "市容环境/暴露垃圾")
    c3 = dict(zip(CASE_HEADERS, next(r for r in cases if r[0] == "C003"), strict=True))
    assert c3["挂起"] == "是" and c3["状态"] == "整改中"
    east_rows = list(book["东街街道"].iter_rows(values_only=True))
    assert sum(1 for r in east_rows if r and str(r[0]).startswith("C0")) == 7


def test_chart_renders_a_png(session) -> None:  # type: ignore[no-untyped-def]
    data.build(session)
    png = ranking_png(build_report(session, NOV))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_report_month_command_prints_and_writes(session, config, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data.build(session)
    session.commit()
    monkeypatch.setenv("DATABASE_URL", config.database_url)
    monkeypatch.setenv("CHENGGUAN_DATA_DIR", str(config.data_dir))
    _attach_commands()
    xlsx, chart = tmp_path / "l.xlsx", tmp_path / "c.png"
    result = CliRunner().invoke(cli, ["report", "month", "2026-11", "--xlsx", str(xlsx), "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert "2026年11月 街道综合评价" in result.output and "东街街道" in result.output and "全区合计" in result.output
    assert xlsx.stat().st_size > 0 and chart.read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(cli, ["report", "month", "11/2026"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
