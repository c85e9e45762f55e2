"""The ranking as rows of plain values, shared by the printed table, the ledger and the bulletin."""

from __future__ import annotations

from dataclasses import dataclass

from bot.assessment.indicators import Indicators
from bot.assessment.report import MonthReport, ScopeRow

HEADERS = ("排名", "较上月", "名称", "得分", "上报", "应结案", "挂起", "结案", "结案率", "按期结案", "按期结案率",
           "核查", "返工", "返工率", "返工3次+", "评价", "满意率", "平均结案(工作日)")


NOT_APPLICABLE = "—"
RATE_FORMAT, DECIMAL_FORMAT = "0.0%", "0.0"  # Excel number formats


@dataclass(frozen=True)
class Figure:
    """A number with the format it is shown in: the ledger writes the number itself with the Excel
    format (so it sorts and sums), the terminal table prints str(). None: does not apply."""

    value: float | None
    excel_format: str

    def __str__(self) -> str:
        if self.value is None:
            return NOT_APPLICABLE
        if self.excel_format == RATE_FORMAT:
            return percent(self.value)
        return f"{self.value:.1f}"


def percent(value: float | None) -> str:
    return NOT_APPLICABLE if value is None else f"{100 * value:.1f}%"


def rate(value: float | None) -> Figure:
    return Figure(value, RATE_FORMAT)


def decimal(value: float | None) -> Figure:
    return Figure(value, DECIMAL_FORMAT)


def indicator_values(ind: Indicators) -> list[object]:
    return [ind.reported, ind.due, ind.suspended, ind.closed, rate(ind.closure_rate), ind.closed_on_time,
            rate(ind.on_time_rate), ind.verified, ind.returned, rate(ind.rework_rate), ind.returned_3plus,
            ind.rated, rate(ind.satisfaction_rate), decimal(ind.avg_close_days)]


def row_values(row: ScopeRow) -> list[object]:
    ranked = row.ranked
    return [ranked.rank if ranked.rank is not None else NOT_APPLICABLE, ranked.change_label, row.scope.name,
            decimal(ranked.score), *indicator_values(row.indicators)]


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
