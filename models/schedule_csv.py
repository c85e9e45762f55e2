"""The official holiday schedule (国务院放假安排) as a CSV file an admin can write on the day it is published.

Format, one row per day that differs from Monday-Friday (``#`` starts a comment line)::

    date,workday,note
    2027-02-05,0,春节
    2027-02-20,1,春节调休上班

``workday`` is 0 for a rest day (放假) and 1 for a make-up working day (调休上班, only on a weekend).
A file may hold several years; each year must be complete: every statutory holiday of that year that
falls on a weekday is listed as a rest day, so a half-typed notice is refused instead of silently
shortening deadlines.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

from models.workdays import Schedule, statutory_holidays


class ScheduleError(ValueError):
    """The file is not a complete, consistent schedule; the message says which row and how to fix it."""


def parse_schedule(text: str, name: str) -> dict[int, Schedule]:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not {"date", "workday"} <= {f.strip() for f in reader.fieldnames}:
        raise ScheduleError(f"{name}: 第一行应为表头 date,workday,note")
    years: dict[int, dict[dt.date, bool]] = defaultdict(dict)
    for number, row in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in row.items() if key}
        where = f"{name} 第 {number} 行"
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise ScheduleError(f"{where}: 日期 {row['date']!r} 应写作 YYYY-MM-DD") from None
        if row["workday"] not in ("0", "1"):
            raise ScheduleError(f"{where}: workday 应为 0（放假）或 1（调休上班），不是 {row['workday']!r}")
        working = row["workday"] == "1"
        if day in years[day.year]:
            raise ScheduleError(f"{where}: {day} 重复出现，每天只能写一行")
        if working and day.weekday() < 5:
            raise ScheduleError(f"{where}: {day} 是工作日（周一至周五），调休上班日只能是周六或周日")
        years[day.year][day] = working
    if not years:
        raise ScheduleError(f"{name}: 文件中没有任何日期")
    for year, schedule in years.items():
        _check_complete(year, schedule, name)
    return dict(years)


def _check_complete(year: int, schedule: Schedule, name: str) -> None:
    missing = [f"{day}（{label}）" for day, label in sorted(statutory_holidays(year).items())
               if schedule.get(day, day.weekday() < 5)]  # a weekend holiday need not be listed
    if missing:
        raise ScheduleError(
            f"{name}: {year} 年的安排不完整，以下法定节假日未列为放假（workday=0）: {'、'.join(missing)}。"
            f"请按国务院通知补全该年全部放假日和调休上班日后再导入")
