"""The Excel ledger (台账) of a month: ranking sheets, the case sheet a reviewer checks line by line,
and one sheet per street. Written in openpyxl's write-only mode, so 100,000 cases stay small in memory."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.assessment.facts import CaseFacts
from bot.assessment.report import MonthReport
from bot.reminders.labels import category_label, major_label
from bot.reports.table import HEADERS, NOT_APPLICABLE, Figure, percent, row_values, total_values
from models.calendar import TZ
from models.enums import CaseSource, CaseStatus, Satisfaction

CASE_HEADERS = ("案件编号", "来源", "分类代码", "分类", "街道", "责任单位", "处置人", "地址", "问题描述", "上报时间",
                "处置时限", "状态", "结案时间", "是否按期", "返工次数(截至月末)", "本月返工", "满意度", "挂起")


TIME_FORMAT = "yyyy-mm-dd hh:mm"


def write_ledger(report: MonthReport, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in (("街道排名", report.streets), ("单位排名", report.units)):
        sheet = book.create_sheet(title)
        sheet.append([f"{report.month.label}{title}", "", "", report.suspended_note])
        sheet.append(list(HEADERS))
        for row in rows:
            sheet.append(_cells(sheet, row_values(row)))
        sheet.append(_cells(sheet, total_values(report)))
    cases = book.create_sheet("案件台账")
    cases.append(list(CASE_HEADERS))
    by_street: dict[int | None, list[CaseFacts]] = defaultdict(list)
    for case in report.cases:
        cases.append(_cells(cases, case_values(report, case)))
        by_street[case.street_id].append(case)
    used: set[str] = set()
    for row in sorted(report.streets, key=lambda r: r.scope.code):  # by code: the same order every month
        sheet = book.create_sheet(_sheet_name(row.scope.name, used))
        ind = row.indicators
        sheet.append([f"{report.month.label} {row.scope.name}", f"排名 {row.ranked.rank or '—'}", row.ranked.change_label])
        for header, value in zip(HEADERS[3:], row_values(row)[3:], strict=True):
            sheet.append(_cells(sheet, [header, value]))
        sheet.append(["按来源上报"] + [f"{CaseSource(s).label} {n}" for s, n in sorted(ind.by_source.items())])
        sheet.append(["按大类上报"] + [f"{major_label(c)} {n}" for c, n in sorted(ind.by_category.items())])
        sheet.append([])
        sheet.append(list(CASE_HEADERS))
        for case in by_street.get(row.scope.id, []):
            sheet.append(_cells(sheet, case_values(report, case)))
    book.save(path)


def case_values(report: MonthReport, case: CaseFacts) -> list[object]:
    month = report.month
    return [
        case.number, CaseSource(case.source).label, case.category_code, category_label(case.category_code, full=True),
        report.street_names.get(case.street_id or 0, ""), report.unit_names.get(case.unit_id or 0, ""),
        report.user_names.get(case.assignee_id or 0, ""), case.address, case.description,
        _time(case.created_at), _time(case.deadline), CaseStatus(case.status).label, _time(case.closed_at),
        _on_time(case), sum(1 for t in case.returned if t < month.end), sum(1 for t in case.returned if month.contains(t)),
        Satisfaction(case.satisfaction).label if case.satisfaction else "未评价",
        "是" if any(t < month.end for t in case.suspended) else "",
    ]


def _on_time(case: CaseFacts) -> str:
    if case.status != CaseStatus.CLOSED or case.closed_at is None:
        return "未结案"
    if case.deadline is None:
        return "按期"
    return "按期" if case.closed_at <= case.deadline else "超期"


def _time(moment: datetime | None) -> datetime | str:
    # Excel has no time zones: Beijing time, as officials read it, without the offset.
    return moment.astimezone(TZ).replace(tzinfo=None) if moment else ""


def _cells(sheet: Any, values: list[object]) -> list[object]:
    """Numbers and times as Excel values with their number formats (sortable, summable); the rest as is."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[object] = []
    for value in values:
        if isinstance(value, Figure):
            if value.value is None:
                cells.append(NOT_APPLICABLE)
                continue
            cell = WriteOnlyCell(sheet, value=value.value)
            cell.number_format = value.excel_format
        elif isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = TIME_FORMAT
        else:
            cells.append(value)
            continue
        cells.append(cell)
    return cells


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "街道"
    candidate, n = base, 2
    while candidate in used or candidate in ("街道排名", "单位排名", "案件台账"):
        candidate, n = f"{base[:26]}_{n}", n + 1
    used.add(candidate)
    return candidate


__all__ = ["write_ledger", "CASE_HEADERS", "percent"]
