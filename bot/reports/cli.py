"""`chengguan report month YYYY-MM`: the table on screen, and on request the ledger, the chart, the bulletin."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(help="月度综合评价: 排名、台账、通报")
def report_cli() -> None:
    pass


@report_cli.command("month", short_help="某月的综合评价与排名 (如 2026-11), 可另存台账和排名图。",
                    help="显示某月 MONTH (如 2026-11) 的综合评价与排名; 可另存 Excel 台账和排名图, 或把通报发往区级群。")
@click.argument("month")
@click.option("--units", is_flag=True, help="按责任单位排名 (默认按街道)")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="把 Excel 台账写到这个文件")
@click.option("--chart", "chart", type=click.Path(dir_okay=False, path_type=Path), help="把排名图 (PNG) 写到这个文件")
@click.option("--send", is_flag=True, help="把通报排队发往区级工作群")
def month_command(month: str, units: bool, xlsx: Path | None, chart: Path | None, send: bool) -> None:
    from bot.assessment.period import Month
    from bot.assessment.report import build_report
    from bot.cli import _ready_service

    try:
        period = Month.parse(month)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="MONTH") from None
    service = _ready_service()
    with service.sessions() as session:
        report = build_report(session, period)
    from bot.reports.table import render_text

    click.echo(render_text(report, units=units))
    if xlsx:
        from bot.reports.ledger import write_ledger

        write_ledger(report, xlsx)
        click.echo(f"台账已写入 {xlsx}")
    if chart:
        from bot.reports.chart import ranking_png

        chart.write_bytes(ranking_png(report, units=units))
        click.echo(f"排名图已写入 {chart}")
    if send:
        from bot.reports.bulletin import queue_bulletin

        queued = queue_bulletin(service, period)
        click.echo(f"通报已排队发往 {queued} 个区级群" if queued else
                   "没有新的通报要发: 没有区级群 (chengguan groups add --district …), 或本月已发过")
