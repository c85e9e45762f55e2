import datetime as dt

import pytest

from models.calendar import TZ
from models.categories import CategoryTable
from models.deadlines import DeadlineRule, SourceRules, TimeLimit, due_at
from models.enums import CaseSource


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


@pytest.fixture(scope="module")
def table() -> CategoryTable:
    return CategoryTable.load()


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("4h", TimeLimit(4, "h")),
        (" 1d ", TimeLimit(1, "d")),
        ("15D", TimeLimit(15, "d")),
        ("0.5h", TimeLimit(0.5, "h")),
        ("4工作时", TimeLimit(4, "h")),
        ("20工作日", TimeLimit(20, "d")),
    ],
)
def test_time_limit_parse(text, limit):
    assert TimeLimit.parse(text) == limit


@pytest.mark.parametrize("text", ["", "4", "h", "4 hours", "-1h", "0h", "1.5d", "3w"])
def test_time_limit_rejects(text):
    with pytest.raises(ValueError):
        TimeLimit.parse(text)


def test_time_limit_text():
    assert str(TimeLimit(4, "h")) == "4h"
    assert TimeLimit(15, "d").label == "15个工作日"
    assert TimeLimit(4, "h").label == "4个工作时"


def test_packaged_source_rules():
    rules = SourceRules.load()
    assert rules[CaseSource.THIRD_PARTY] is DeadlineRule.TABLE
    assert rules[CaseSource.HOTLINE] is DeadlineRule.TABLE
    for source in (CaseSource.SNAPSHOT, CaseSource.PATROL, CaseSource.ROAD_OFFICE):
        assert rules[source] is DeadlineRule.MONTH_END


def test_third_party_4h_across_weekend(table):
    garbage = table.by_name("市容环境/暴露垃圾")
    # Friday 16:00: 1.5h on Friday, 2.5h on Monday
    assert due_at(CaseSource.THIRD_PARTY, garbage, at(2026, 3, 6, 16)) == at(2026, 3, 9, 11)


def test_third_party_1d(table):
    heap = table.by_name("市容环境/积存垃圾渣土")
    assert heap.limit == TimeLimit(1, "d")
    assert due_at(CaseSource.THIRD_PARTY, heap, at(2026, 3, 6, 10)) == at(2026, 3, 9, 10)
    # reported in the evening: due at the end of the next working day
    assert due_at(CaseSource.THIRD_PARTY, heap, at(2026, 3, 5, 19)) == at(2026, 3, 6, 17, 30)


def test_15d_across_national_day(table):
    building = table.by_name("市容环境/私搭乱建")
    # working days after Mon 09-28: 09-29, 09-30, 10-08, 10-09, 10-10 (调休 Saturday), 10-12 ...
    assert due_at(CaseSource.THIRD_PARTY, building, at(2026, 9, 28, 9)) == at(2026, 10, 23, 9)


def test_hotline_uses_the_table(table):
    garbage = table.by_name("市容环境/暴露垃圾")
    assert due_at(CaseSource.HOTLINE, garbage, at(2026, 3, 2, 9)) == at(2026, 3, 2, 14, 30)


@pytest.mark.parametrize("source", [CaseSource.SNAPSHOT, CaseSource.PATROL, CaseSource.ROAD_OFFICE])
def test_month_end_sources(table, source):
    garbage = table.by_name("市容环境/暴露垃圾")
    assert due_at(source, garbage, at(2026, 2, 27, 16)) == at(2026, 2, 28, 23, 59, 59)
    # reported after the last working hour of the year: less than the minimum left, so the next month's end
    assert due_at(source, garbage, at(2026, 12, 31, 22)) == at(2027, 1, 31, 23, 59, 59)
    assert due_at(source.value, garbage, at(2026, 9, 30, 8)) == at(2026, 9, 30, 23, 59, 59)


def test_custom_rules_file(tmp_path, table):
    path = tmp_path / "rules.csv"
    path.write_text(
        "source,rule\nthird_party,table\nhotline,month_end\nsnapshot,table\n"
        "patrol,month_end\nroad_office,month_end\n",
        encoding="utf-8",
    )
    rules = SourceRules.load(path)
    garbage = table.by_name("市容环境/暴露垃圾")
    reported = at(2026, 3, 2, 9)
    assert due_at(CaseSource.HOTLINE, garbage, reported, rules) == at(2026, 3, 31, 23, 59, 59)
    assert due_at(CaseSource.SNAPSHOT, garbage, reported, rules) == at(2026, 3, 2, 14, 30)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("source,rule\nthird_party,table\nsomething,table\n", "第 3 行"),
        ("source,rule\nthird_party,later\n", "rule"),
        ("source,rule\nthird_party,table\nthird_party,month_end\n", "重复"),
        ("source,rule\nthird_party,table\n", "缺少来源"),
        ("kind,rule\nthird_party,table\n", "表头"),
        # the minimum time before a month-end deadline
        ("source,rule,min_time\nthird_party,table,\nhotline,table,\nsnapshot,month_end,3w\n", "第 4 行.*min_time"),
        ("source,rule,min_time\nthird_party,table,4h\n", "第 2 行.*month_end"),
    ],
)
def test_bad_rules_file(tmp_path, body, message):
    path = tmp_path / "rules.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        SourceRules.load(path)


def test_naive_report_time_rejected(table):
    with pytest.raises(ValueError):
        due_at(CaseSource.PATROL, table.get("E0102"), dt.datetime(2026, 3, 2, 9))


@pytest.mark.parametrize("source", [CaseSource.SNAPSHOT, CaseSource.PATROL, CaseSource.ROAD_OFFICE])
def test_month_end_leaves_at_least_one_working_day(table, source):
    garbage = table.by_name("市容环境/暴露垃圾")
    assert due_at(source, garbage, at(2026, 11, 30, 16)) == at(2026, 12, 31, 23, 59, 59)  # 1.5 h left
    assert due_at(source, garbage, at(2026, 10, 30, 9)) == at(2026, 11, 30, 23, 59, 59)  # 7 h left (31st: Saturday)
    assert due_at(source, garbage, at(2026, 11, 27, 16)) == at(2026, 11, 30, 23, 59, 59)  # 9 h left
    assert SourceRules.load().minimums[source] == TimeLimit(1, "d")


def _rules(tmp_path, snapshot_minimum: str):
    path = tmp_path / "rules.csv"
    path.write_text(
        "source,rule,min_time\nthird_party,table,\nhotline,table,\n"
        f"snapshot,month_end,{snapshot_minimum}\npatrol,month_end,\nroad_office,month_end,1d\n",
        encoding="utf-8",
    )
    return SourceRules.load(path)


def test_minimum_time_from_the_rules_file(tmp_path, table):
    garbage, building = table.by_name("市容环境/暴露垃圾"), table.get("E0101")
    four_hours = _rules(tmp_path, "4h")
    assert due_at(CaseSource.SNAPSHOT, garbage, at(2026, 11, 30, 9), four_hours) == at(2026, 11, 30, 23, 59, 59)
    assert due_at(CaseSource.SNAPSHOT, garbage, at(2026, 11, 30, 14), four_hours) == at(2026, 12, 31, 23, 59, 59)
    assert due_at(CaseSource.PATROL, garbage, at(2026, 11, 30, 16), four_hours) == at(2026, 11, 30, 23, 59, 59)  # none
    by_category = _rules(tmp_path, "table")  # the category's own time limit is the minimum
    assert building.limit.unit == "d" and building.limit.amount > 1
    assert due_at(CaseSource.SNAPSHOT, garbage, at(2026, 11, 30, 9), by_category) == at(2026, 11, 30, 23, 59, 59)
    assert due_at(CaseSource.SNAPSHOT, building, at(2026, 11, 30, 9), by_category) == at(2026, 12, 31, 23, 59, 59)


def test_a_rules_file_without_minimums_keeps_the_plain_month_end(tmp_path, table):
    path = tmp_path / "rules.csv"
    path.write_text("source,rule\nthird_party,table\nhotline,table\nsnapshot,month_end\npatrol,month_end\n"
                    "road_office,month_end\n", encoding="utf-8")
    garbage = table.by_name("市容环境/暴露垃圾")
    assert due_at(CaseSource.SNAPSHOT, garbage, at(2026, 11, 30, 16), SourceRules.load(path)) == at(2026, 11, 30, 23, 59, 59)
