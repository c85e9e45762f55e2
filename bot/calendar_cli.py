"""`chengguan calendar`: the working-day calendar's official holiday schedules (国务院放假安排)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

IMPORT_HELP = """导入国务院公布的放假安排（CSV，可含多个年份，每个年份须完整）。

\b
格式（第一行为表头；每行一天，只写与周一至周五不同的日期）:
  date,workday,note
  2027-02-05,0,春节
  2027-02-20,1,春节调休上班
workday: 0 = 放假, 1 = 调休上班（只能是周六或周日）。

导入的安排优先于软件自带的数据和临时日历。已按临时日历算出的未结案件截止时间保持不变并在案件记录中注明；
加 --recompute-open 则按正式安排重算。"""


@click.group(help="工作日历: 查看和导入国务院放假安排")
def calendar_cli() -> None:
    pass


@calendar_cli.command("import", help=IMPORT_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--recompute-open", is_flag=True, help="按导入的安排重算未结案件的截止时间")
def import_command(file: Path, recompute_open: bool) -> None:
    from bot.calendar_admin import import_schedules
    from bot.config import Config
    from bot.db import transaction
    from bot.service import Service
    from models import utcnow
    from models.calendar import TZ
    from models.schedule_csv import ScheduleError, parse_schedule

    try:
        schedules = parse_schedule(file.read_text(encoding="utf-8-sig"), file.name)
    except (ScheduleError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc) if isinstance(exc, ScheduleError) else f"{file.name}: 文件应为 UTF-8 编码")
    service = Service.build(Config.from_env())
    with transaction(service.sessions) as session:
        result = import_schedules(session, schedules, source_file=file.name, recompute_open=recompute_open,
                                  now=utcnow())
    for year in sorted(schedules):
        rest = sum(1 for working in schedules[year].values() if not working)
        click.echo(f"已导入 {year} 年: {rest} 个放假日, {len(schedules[year]) - rest} 个调休上班日"
                   f"（原来: {result.previous[year].label}）")
    if result.kept:
        click.echo(f"{len(result.kept)} 件未结案件的截止时间按临时日历计算，保持不变（已记入案件记录）；"
                   "如需重算: 加 --recompute-open 再导入一次")
    for number, old, new in result.recomputed:
        click.echo(f"案件 {number} 截止时间: {old.astimezone(TZ):%Y-%m-%d %H:%M} → {new.astimezone(TZ):%Y-%m-%d %H:%M}")


@calendar_cli.command("show", help="显示某年的放假日和调休上班日，以及数据来源")
@click.argument("year", type=click.IntRange(1900, 2200))
def show_command(year: int) -> None:
    from bot.config import Config
    from bot.reminders.calendar_notice import calendar_warning
    from bot.service import Service
    from models.workdays import DaySource, is_working_day, year_schedule

    Service.build(Config.from_env())  # reads the imported schedules from the database
    _, source = year_schedule(year)
    click.echo(f"{year} 年工作日历: {source.label}")
    days = [dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days)]
    rest = [d for d in days if d.weekday() < 5 and not is_working_day(d)]
    working = [d for d in days if d.weekday() >= 5 and is_working_day(d)]
    click.echo(f"放假（周一至周五中的）: {_runs(rest) or '无'}")
    click.echo(f"调休上班（周末中的）: {_runs(working) or '无'}")
    click.echo(f"全年工作日: {sum(1 for d in days if is_working_day(d))} 天")
    if source is DaySource.PROVISIONAL:
        click.echo(calendar_warning(year))


def _runs(days: list[dt.date]) -> str:
    """Consecutive days as ranges: 2027-02-08 至 2027-02-10、2027-04-05."""
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return "、".join(str(r[0]) if len(r) == 1 else f"{r[0]} 至 {r[-1]}" for r in runs)
