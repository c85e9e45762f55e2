"""A 随手拍 filed on the evening of the last day of a month is not due the same night: with less
than the rules table's minimum working time left (one working day by default), it is due at the
end of the next month. A deployment's own rules file (CHENGGUAN_SOURCE_RULES_FILE) decides."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import bot.dispatcher
from bot.config import Config, ConfigError
from handlers.catalog import source_rules
from tests.photos import photo
from tests.resident.test_report_flow import EAST_POINT_GCJ, PROBLEM, seed_streets

LAST_EVENING = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # 21:00 in Beijing, Monday 30 November


@pytest.fixture
def rules_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    source_rules.cache_clear()
    yield
    monkeypatch.delenv("CHENGGUAN_SOURCE_RULES_FILE", raising=False)
    source_rules.cache_clear()


def report_at(moment: datetime, monkeypatch, mp_service, wechat_api, new_user) -> str:  # type: ignore[no-untyped-def]
    seed_streets(mp_service)
    monkeypatch.setattr(bot.dispatcher, "utcnow", lambda: moment)
    resident = new_user()
    resident.send_image(*wechat_api.add_media(photo(PROBLEM)))
    resident.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口")
    resident.send_text("路口有人占道经营")
    resident.send_text("1")
    return resident.send_text("确认").text


def test_last_evening_of_the_month_is_due_at_the_next_months_end(rules_file, monkeypatch, mp_service, wechat_api, new_user) -> None:  # type: ignore[no-untyped-def]
    done = report_at(LAST_EVENING, monkeypatch, mp_service, wechat_api, new_user)
    assert "处理时限: 2026-12-31 23:59 前" in done


def test_a_deployment_without_a_minimum_keeps_the_same_night(rules_file, tmp_path, monkeypatch, mp_service, wechat_api, new_user) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rules.csv"
    path.write_text("source,rule\nthird_party,table\nhotline,table\nsnapshot,month_end\npatrol,month_end\n"
                    "road_office,month_end\n", encoding="utf-8")
    monkeypatch.setenv("CHENGGUAN_SOURCE_RULES_FILE", str(path))
    done = report_at(LAST_EVENING, monkeypatch, mp_service, wechat_api, new_user)
    assert "处理时限: 2026-11-30 23:59 前" in done


def test_a_bad_rules_file_stops_at_start_with_the_line_to_fix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rules.csv"
    path.write_text("source,rule,min_time\nthird_party,table,\nsnapshot,month_end,soon\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="CHENGGUAN_SOURCE_RULES_FILE.*第 3 行.*min_time"):
        Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_SOURCE_RULES_FILE": str(path)})
    with pytest.raises(ConfigError, match="CHENGGUAN_SOURCE_RULES_FILE=.* 无法读取"):
        Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_SOURCE_RULES_FILE": str(tmp_path / "none.csv")})
