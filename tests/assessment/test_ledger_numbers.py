"""The ledger's figures are Excel numbers with number formats, so officials can sort and sum them:
scores and day counts as 0.0, rates as 0.0% (stored as fractions), times as date-times; a figure
that does not apply (no case to rate) stays 「—」."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.assessment.period import Month
from bot.assessment.report import build_report
from bot.reports.ledger import CASE_HEADERS, write_ledger
from tests.assessment import data

RATES = ("结案率", "按期结案率", "返工率", "满意率")


def _ledger(session, tmp_path: Path):  # type: ignore[no-untyped-def]
    data.build(session)
    path = tmp_path / "台账.xlsx"
    write_ledger(build_report(session, Month(2026, 11)), path)
    return load_workbook(path)


def test_scores_and_rates_are_numbers_with_formats(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = _ledger(session, tmp_path)
    sheet = book["街道排名"]
    header = [c.value for c in sheet[2]]
    east = {h: c for h, c in zip(header, sheet[4], strict=True)}
    assert east["名称"].value == "东街街道"
    for name, expected in (("结案率", 0.5), ("按期结案率", 0.25), ("返工率", 1 / 3)):
        cell = east[name]
        assert cell.data_type == "n" and cell.value == pytest.approx(expected) and cell.number_format == "0.0%", name
    score = east["得分"]
    assert score.data_type == "n" and isinstance(score.value, float) and score.number_format == "0.0"
    for row in sheet.iter_rows(min_row=3):
        cells = {h: c for h, c in zip(header, row, strict=True)}
        for name in RATES:
            assert cells[name].value == "—" or (cells[name].data_type == "n" and cells[name].number_format == "0.0%")
        days = cells["平均结案(工作日)"]
        assert days.value == "—" or (days.data_type == "n" and days.number_format == "0.0")
        assert isinstance(cells["结案"].value, int)


def test_street_sheet_and_case_times_too(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = _ledger(session, tmp_path)
    pairs = {row[0].value: row[1] for row in book["东街街道"].iter_rows(min_row=2, max_col=2) if row[0].value}
    assert pairs["结案率"].value == pytest.approx(0.5) and pairs["结案率"].number_format == "0.0%"
    assert pairs["得分"].data_type == "n" and pairs["得分"].number_format == "0.0"
    cases = book["案件台账"]
    header = [c.value for c in cases[1]]
    assert tuple(header) == CASE_HEADERS
    first = {h: c for h, c in zip(header, cases[2], strict=True)}
    reported = first["上报时间"]
    assert isinstance(reported.value, datetime) and reported.number_format == "yyyy-mm-dd hh:mm"
    assert reported.value.tzinfo is None  # Excel has no time zones: Beijing time as written
