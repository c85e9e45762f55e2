"""A road chief's patrol report over WeCom, end to end to the platform stand-in: the command word
「巡查」 starts the report and is never its description; the chief is asked what the problem is, and
the platform receives those words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.service import Service
from handlers.catalog import categories
from models import CaseStatus, Role
from tests.chat import mp_env
from tests.resident.test_report_flow import EAST_POINT_GCJ
from tests.staff.scenario import PROBLEM, case, seed_district, send_photo
from tests.uplink.helpers import close_and_empty, drain, map_category
from tests.uplink.standin import StandIn

PROBLEM_WORDS = "路口有人占道经营"


@pytest.fixture
def mp_service(wechat_api, database_url: str, tmp_path: Path, standin: StandIn) -> Iterator[Service]:  # type: ignore[no-untyped-def]
    """The chat fixtures' service, with the Open311 uplink to the stand-in installed from the start."""
    env = {**mp_env(wechat_api, database_url, tmp_path / "data"), "PLATFORM_OPEN311_URL": standin.url,
           "PLATFORM_API_KEY": "standin-key", "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9",
           "CHENGGUAN_SECRET_KEY": "test-secret", "PLATFORM_TIMEOUT_SECONDS": "2"}
    service = Service.build(Config.from_env(env))
    yield service
    close_and_empty(service)


@pytest.mark.parametrize("command", ["巡查", "马路办公"])
def test_the_platform_receives_the_problem_not_the_command(command, mp_service, wechat_api, new_staff, standin, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER)
    chief = new_staff(Role.ROAD_CHIEF, street_id=district.east, unit_id=district.east_unit)
    category = categories().suggest(PROBLEM_WORDS, limit=1)[0].key
    map_category(mp_service, category, "G-102")

    assert "照片" in chief.send_text(command).text
    send_photo(chief, wechat_api, PROBLEM)
    asked = chief.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口").text
    assert "请用一句话描述问题" in asked
    chief.send_text(PROBLEM_WORDS)
    summary = chief.send_text("1").text
    assert f"描述: {PROBLEM_WORDS}\n" in summary
    number = chief.send_text("确认").text.split("案件编号: ")[1].split()[0]
    run_worker()
    assert case(mp_service, number).description == PROBLEM_WORDS

    reviewer.send_text(f"受理 {number}")
    assert case(mp_service, number).status == CaseStatus.DISPATCHED
    drain(mp_service)
    (request,) = standin.requests.values()
    lines = request["description"].splitlines()
    assert lines[1] == PROBLEM_WORDS and command not in lines[:2]
    assert lines[-1] == f"案件编号: {number}"


def test_words_after_the_command_are_the_description(mp_service, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    chief = new_staff(Role.ROAD_CHIEF, street_id=district.east, unit_id=district.east_unit)
    chief.send_text(f"巡查 {PROBLEM_WORDS}")
    send_photo(chief, wechat_api, PROBLEM)
    reply = chief.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口").text
    assert "请选择问题类别" in reply
    assert f"描述: {PROBLEM_WORDS}\n" in chief.send_text("1").text
