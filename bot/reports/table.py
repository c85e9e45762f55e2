"""The ranking as rows of plain values, shared by the printed table, the ledger and the bulletin."""

from __future__ import annotations

from bot.assessment.indicators import Indicators
from bot.assessment.report import MonthReport, ScopeRow

HEADERS = ("排名", "较上月", "名称", "得分", "上报", "应结案", "挂起", "结案", "结案率", "按期结案", "按期结案率",
           "核查", "返工", "返工率", "返工3次+", "评价", "满意率", "平均结案(工作日)")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def indicator_values(ind: Indicators) -> list[object]:
    return [ind.reported, ind.due, ind.suspended, ind.closed, percent(ind.closure_rate), ind.closed_on_time,
            percent(ind.on_time_rate), ind.verified, ind.returned, percent(ind.rework_rate), ind.returned_3plus,
            ind.rated, percent(ind.satisfaction_rate), number(ind.avg_close_days)]


def row_values(row: ScopeRow) -> list[object]:
    ranked = row.ranked
    return [ranked.rank if ranked.rank is not None else "—", ranked.change_label, row.scope.name,
            number(ranked.score), *indicator_values(row.indicators)]


def total_values(report: MonthReport) -> list[object]:
    return ["", "", "全区合计", "", *indicator_values(report.total)]


def render_text(report: MonthReport, *, units: bool = False) -> str:
    """A plain table for the terminal (columns padded for CJK width)."""
    rows = [list(HEADERS)] + [[str(v) for v in row_values(r)] for r in (report.units if units else report.streets)]
    rows.append([str(v) for v in total_values(report)])
    widths = [max(_width(r[i]) for r in rows) for i in range(len(HEADERS))]
    title = f"{report.month.label} {'责任单位' if units else '街道'}综合评价"
    lines = [title] + ["  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.append(f"注: {report.suspended_note}; 满意率 = (满意 + 基本满意) / 已评价, 未评价不计。")
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
