"""The Official Account's menu as code: pushed from a data file checked against WeChat's rules, and its
clicks and location events handled like the matching messages (#13)."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.wechat_cli import wechat_cli
from bot.wechat_menu import load_menu
from handlers.resident import START, help_text
from models import Conversation
from tests.chat import mp_env
from tests.photos import photo
from tests.resident.test_report_flow import EAST_POINT_GCJ


@pytest.fixture
def runner(wechat_api, database_url, tmp_path) -> CliRunner:  # type: ignore[no-untyped-def]
    return CliRunner(env=mp_env(wechat_api, database_url, tmp_path / "data"))


def test_the_packaged_menu_is_pushed_as_it_is_written(runner, wechat_api) -> None:  # type: ignore[no-untyped-def]
    done = runner.invoke(wechat_cli, ["menu", "push"])
    assert done.exit_code == 0, done.output
    assert done.output == "公众号菜单已更新: 随手拍 | 我的案件 | 帮助 (使用说明、发送位置)\n"
    assert wechat_api.menu == load_menu()
    assert [b.get("key") for b in wechat_api.menu["button"][:2]] == ["REPORT", "MY_CASES"]


@pytest.mark.parametrize(("menu", "says"), [
    ({"button": [{"type": "click", "name": str(n), "key": str(n)} for n in range(4)]}, "1 至 3 个一级按钮"),
    ({"button": [{"type": "click", "name": "城市管理随手拍上报", "key": "R"}]}, "超过 16 字节"),
    ({"button": [{"type": "click", "name": "上报"}]}, "「上报」需要 key"),
    ({"button": [{"type": "view", "name": "官网"}]}, "「官网」是链接按钮 (view), 需要 url"),
    ({"button": [{"type": "media_id", "name": "图片", "media_id": "x"}]}, "类型 'media_id' 不支持"),
])
def test_a_menu_that_breaks_wechat_rules_is_refused_and_not_pushed(runner, wechat_api, tmp_path, menu,
                                                                   says) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(menu, ensure_ascii=False), encoding="utf-8")
    done = runner.invoke(wechat_cli, ["menu", "push", "--file", str(path)])
    assert done.exit_code == 1 and says in done.output
    assert wechat_api.menu is None


_seconds = itertools.count(1)


def event(user, body: str):  # type: ignore[no-untyped-def]
    """An event a second after the last: WeChat tells events apart by sender and CreateTime only, so two
    in the same second are one event sent twice (and get one answer)."""
    return user.post(user.message_xml("event", body, msg_id=False, create_time=int(time.time()) + next(_seconds)))


def click(user, key: str, kind: str = "CLICK"):  # type: ignore[no-untyped-def]
    return event(user, f"<Event><![CDATA[{kind}]]></Event><EventKey><![CDATA[{key}]]></EventKey>")


def test_clicks_act_like_the_typed_commands(new_user, mp_service) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    assert click(resident, "REPORT").text == START
    assert click(resident, "HELP").text == help_text(mp_service.config)
    assert click(resident, "MY_CASES").text == resident.send_text("查询").text
    assert click(resident, "https://example.gov.cn/", kind="VIEW").text is None


def location_event(user, lat: float, lon: float):  # type: ignore[no-untyped-def]
    return event(user, f"<Event><![CDATA[LOCATION]]></Event><Latitude>{lat}</Latitude><Longitude>{lon}</Longitude>"
                       "<Precision>30.0</Precision>")


def location_picked(user, lat: float, lon: float, label: str):  # type: ignore[no-untyped-def]
    return event(user, "<Event><![CDATA[location_select]]></Event><EventKey><![CDATA[LOCATION]]></EventKey>"
                       f"<SendLocationInfo><Location_X>{lat}</Location_X><Location_Y>{lon}</Location_Y>"
                       f"<Scale>15</Scale><Label><![CDATA[{label}]]></Label><Poiname><![CDATA[]]></Poiname>"
                       "</SendLocationInfo>")


def test_a_location_event_is_the_drafts_location_and_ignored_outside_one(new_user, wechat_api,
                                                                         mp_service) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    assert location_event(resident, EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon).text is None  # no draft: nothing
    with mp_service.sessions() as s:
        assert s.scalars(select(Conversation.flow).where(Conversation.flow.is_not(None))).all() == []

    resident.send_image(*wechat_api.add_media(photo("coffee")))
    assert location_event(resident, EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon).text.startswith("已记录位置。")
    with mp_service.sessions() as s:
        draft = s.scalars(select(Conversation).where(Conversation.flow == "report")).one()
    assert draft.data["gcj"] == [EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon]


def test_the_menus_location_picker_starts_a_report_with_its_place(new_user, mp_service) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    reply = location_picked(resident, EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口").text
    assert reply.startswith("已记录位置: 东街路口")
    with mp_service.sessions() as s:
        draft = s.scalars(select(Conversation).where(Conversation.flow == "report")).one()
    assert draft.data["address"] == "东街路口"


def test_chat_shows_the_menu_and_taps_its_buttons(new_user, wechat_api, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.simulator.chat import _send

    resident = new_user()
    assert _send(resident, wechat_api, "/menu") is None
    assert capsys.readouterr().out == ("公众号菜单 (/menu 序号 点击):\n  1. 随手拍\n  2. 我的案件\n"
                                       "  3. 帮助 › 使用说明\n  4. 帮助 › 发送位置\n")
    assert _send(resident, wechat_api, "/menu 1").text == START
    assert _send(resident, wechat_api, "/menu 4") is None
    assert "请用 /loc 纬度 经度" in capsys.readouterr().out
    assert _send(resident, wechat_api, "/menu 9") is None
    assert capsys.readouterr().out == "请输入 1 至 4 之间的序号, 例如 /menu 1\n"
