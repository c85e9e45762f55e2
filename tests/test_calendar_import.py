"""The official holiday schedule as data: validated CSV, `chengguan calendar import|show`, precedence over
the package and the provisional rule, open cases' deadlines kept (with a note) or recomputed, and the
admins told while a year is provisional."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import select

import chinese_calendar
from bot.calendar_cli import calendar_cli
from bot.cli import _attach_commands, cli
from bot.reminders.calendar_notice import calendar_warning
from bot.service import Service
from models import AuditEvent, Case, CaseSource, CaseStatus
from models.calendar import TZ, add_working_days, is_working_day
from models.schedule_csv import ScheduleError, parse_schedule
from models.workdays import DaySource, year_source
from tests.factories import make_case

# A made-up but complete 2027 schedule: every statutory day off, Spring Festival 02-05..02-11 with two
# make-up Saturdays (the real notice is not out yet; tests need only a valid one).
SCHEDULE_2027 = """date,workday,note
# 2027 年（测试用）
2027-01-01,0,元旦
2027-02-05,0,春节
2027-02-06,0,春节
2027-02-07,0,春节
2027-02-08,0,春节
2027-02-09,0,春节
2027-02-10,0,春节
2027-02-11,0,春节
2027-02-20,1,春节调休上班
2027-04-05,0,清明节
2027-05-01,0,劳动节
2027-05-02,0,劳动节
2027-05-03,0,劳动节
2027-05-04,0,劳动节
2027-05-05,0,劳动节
2027-06-09,0,端午节
2027-09-15,0,中秋节
2027-10-01,0,国庆节
2027-10-02,0,国庆节
2027-10-03,0,国庆节
2027-10-04,0,国庆节
2027-10-05,0,国庆节
2027-10-06,0,国庆节
2027-10-07,0,国庆节
2027-10-09,1,国庆节调休上班
"""


def test_a_complete_schedule_parses_and_the_package_own_2026_passes_the_same_checks() -> None:
    [(year, schedule)] = parse_schedule(SCHEDULE_2027, "2027.csv").items()
    assert year == 2027 and schedule[dt.date(2027, 2, 20)] is True and schedule[dt.date(2027, 2, 11)] is False
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    rows = [f"{d},{int(chinese_calendar.is_workday(d))}," for d in days
            if chinese_calendar.is_workday(d) != (d.weekday() < 5)]
    assert len(parse_schedule("date,workday,note\n" + "\n".join(rows), "2026.csv")[2026]) == len(rows) == 25


@pytest.mark.parametrize(("text", "says"), [
    ("day,off\n2027-01-01,0", "第一行应为表头 date,workday,note"),
    ("date,workday\n2027-13-01,0", "第 2 行: 日期 '2027-13-01' 应写作 YYYY-MM-DD"),
    ("date,workday\n2027-01-01,休", "workday 应为 0（放假）或 1（调休上班）"),
    (SCHEDULE_2027 + "2027-01-01,0,again", "2027-01-01 重复出现"),
    (SCHEDULE_2027 + "2027-02-12,1,Friday", "2027-02-12 是工作日（周一至周五），调休上班日只能是周六或周日"),
    (SCHEDULE_2027.replace("2027-02-08,0,春节\n", ""), "以下法定节假日未列为放假（workday=0）: 2027-02-08（春节）"),
    (SCHEDULE_2027.replace("2027-02-06,0", "2027-02-06,1"), "以下法定节假日未列为放假（workday=0）: 2027-02-06（春节）"),
    (SCHEDULE_2027.replace("2027-09-15,0", "2027-09-15,1"), "2027-09-15 是工作日"),
    ("date,workday\n", "文件中没有任何日期"),
])
def test_a_bad_or_incomplete_schedule_is_refused_with_the_fix(text: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_schedule(text, "x.csv")


@pytest.fixture
def runner(database_url, tmp_path) -> CliRunner:  # type: ignore[no-untyped-def]
    return CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data")})


def test_import_takes_precedence_and_other_processes_see_it(official_until_2026, service, runner, tmp_path,
                                                            config) -> None:  # type: ignore[no-untyped-def]
    before = runner.invoke(calendar_cli, ["show", "2027"])
    assert before.exit_code == 0 and "2027 年工作日历: 临时日历" in before.output and "尚未导入" in before.output
    assert not is_working_day(dt.date(2027, 2, 20))

    bad = tmp_path / "bad.csv"
    bad.write_text(SCHEDULE_2027.replace("2027-04-05,0,清明节\n", ""), encoding="utf-8")
    refused = runner.invoke(calendar_cli, ["import", str(bad)])
    assert refused.exit_code == 1 and "2027-04-05（清明节）" in refused.output

    good = tmp_path / "2027.csv"
    good.write_text(SCHEDULE_2027, encoding="utf-8")
    done = runner.invoke(calendar_cli, ["import", str(good)])
    assert done.exit_code == 0, done.output
    assert "已导入 2027 年: 23 个放假日, 2 个调休上班日（原来: 临时日历" in done.output

    other_process = Service.build(config)  # a fresh process reads the schedule from the database
    assert year_source(2027) is DaySource.IMPORTED
    assert is_working_day(dt.date(2027, 2, 20)) and not is_working_day(dt.date(2027, 2, 11))
    shown = runner.invoke(calendar_cli, ["show", "2027"])
    assert "2027 年工作日历: 已导入的国务院放假安排" in shown.output
    assert "调休上班（周末中的）: 2027-02-20、2027-10-09" in shown.output and "尚未导入" not in shown.output
    assert "2027-02-08 至 2027-02-11" in shown.output
    other_process.engine.dispose()


def _open_hotline_case(session, reported: dt.datetime, number_hint: str = "") -> Case:  # type: ignore[no-untyped-def]
    case = make_case(session, status=CaseStatus.RECTIFYING, source=CaseSource.HOTLINE, created_at=reported,
                     deadline=add_working_days(reported, 15))
    case.category_code = "E0101"  # 私搭乱建: 15 working days
    session.flush()
    return case


def test_open_deadlines_are_kept_with_a_note_or_recomputed_on_request(official_until_2026, service, runner,
                                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    reported = dt.datetime(2027, 1, 25, 10, tzinfo=TZ)
    with service.sessions() as s, s.begin():
        kept = _open_hotline_case(s, reported)
        untouched = make_case(s, status=CaseStatus.RECTIFYING, created_at=dt.datetime(2026, 11, 2, 9, tzinfo=TZ),
                              deadline=dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ))
        kept_number, provisional = kept.number, kept.deadline
    # 15 working days on the provisional calendar: the Spring Festival is 02-05 and 02-08..10 by rule
    assert provisional == dt.datetime(2027, 2, 19, 10, tzinfo=TZ)
    good = tmp_path / "2027.csv"
    good.write_text(SCHEDULE_2027, encoding="utf-8")

    first = runner.invoke(calendar_cli, ["import", str(good)])
    assert "1 件未结案件的截止时间按临时日历计算，保持不变" in first.output
    with service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == kept_number)).one()
        assert case.deadline == provisional
        [note] = s.scalars(select(AuditEvent).where(AuditEvent.action == "deadline_kept")).all()
        assert note.case_id == case.id and "2027-02-19 10:00 按临时日历计算" in note.note
        assert s.scalars(select(AuditEvent).where(AuditEvent.case_id == untouched.id)).all() == []

    again = runner.invoke(calendar_cli, ["import", str(good), "--recompute-open"])
    # official: 02-05..02-11 off, so 02-12 is day 9 and 02-19 day 14; the make-up Saturday 02-20 is day 15
    assert f"案件 {kept_number} 截止时间: 2027-02-19 10:00 → 2027-02-20 10:00" in again.output
    with service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == kept_number)).one()
        assert case.deadline == dt.datetime(2027, 2, 20, 10, tzinfo=TZ)
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "deadline_recomputed")).all()
        assert event.data["old"].startswith("2027-02-19T02:00") and event.data["years"] == [2027]
    assert "保持不变" not in again.output  # 2027 is no longer provisional: nothing else to review


@pytest.mark.parametrize(("today", "calendar_line"), [
    (dt.datetime(2026, 10, 9, 10, tzinfo=TZ), "[正常] 工作日历: 今年和近期的国务院放假安排已知"),
    (dt.datetime(2026, 12, 11, 10, tzinfo=TZ), "[注意] 工作日历: " + calendar_warning(2027)),
])
def test_doctor_reports_a_provisional_year(official_until_2026, runner, service, today, calendar_line) -> None:  # type: ignore[no-untyped-def]
    _attach_commands()
    with time_machine.travel(today):
        result = runner.invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:3] == ["[正常] 数据库版本: 已是最新", calendar_line]  # then storage, channels…
    assert result.output.startswith("[正常] 数据库: ")
