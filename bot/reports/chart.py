"""The ranking as a PNG bar chart (Agg backend: no display needed), scores with the change from last month."""

from __future__ import annotations

import io

from bot.assessment.report import MonthReport
from bot.reports.fonts import chinese_font


def ranking_png(report: MonthReport, *, units: bool = False, dpi: int = 110) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = [r for r in (report.units if units else report.streets) if r.ranked.score is not None]
    height = max(3.0, 0.32 * len(rows) + 1.4)
    figure = Figure(figsize=(8, height), dpi=dpi, layout="constrained")
    axes = figure.add_subplot()
    font = {"family": chinese_font()}
    names = [f"{r.ranked.rank}. {r.scope.name}" for r in rows][::-1]
    scores = [r.ranked.score or 0.0 for r in rows][::-1]
    colours = ["#c0392b" if i < 3 and len(rows) > 3 else "#2e86c1" for i in range(len(rows))]
    axes.barh(names, scores, color=colours)
    for y, row in enumerate(rows[::-1]):
        axes.text((row.ranked.score or 0) + 0.5, y, f"{row.ranked.score:.1f}  {row.ranked.change_label}",
                  va="center", fontsize=8, fontfamily=font["family"])
    axes.set_xlim(0, 110)
    axes.set_xlabel("综合得分", fontfamily=font["family"])
    axes.set_title(f"{report.month.label}{'责任单位' if units else '街道'}综合排名", fontfamily=font["family"])
    for label in axes.get_yticklabels():
        label.set_fontfamily(font["family"])
        label.set_fontsize(8)
    if not rows:
        axes.set_ylim(0, 1)
        axes.set_yticks([])
        axes.text(50, 0.5, "本月无可排名数据", ha="center", fontfamily=font["family"])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
