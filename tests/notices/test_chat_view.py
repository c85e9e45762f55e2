"""`chengguan chat` shows every kind of notice, and msgmenu choices as numbers the user types to tap."""

from __future__ import annotations

from bot.simulator.api import Pushed
from bot.simulator.chat import Menus, format_push

MENU = {"head_content": "请点选您的评价:", "tail_content": "感谢!",
        "list": [{"id": "71", "content": "满意"}, {"id": "72", "content": "基本满意"}, {"id": "73", "content": "不满意"}]}


def test_msgmenu_is_shown_numbered_and_a_typed_number_taps_that_choice() -> None:
    shown = format_push(Pushed("o_1", "", {"msgmenu": MENU}, "msgmenu"))
    assert shown.splitlines() == ["[客服消息] 请点选您的评价:", "  1. 满意", "  2. 基本满意", "  3. 不满意", "感谢!", "(输入序号点选)"]
    menus = Menus()
    menus.show(MENU)
    assert menus.take("4") is None and menus.take("满意") is None
    assert menus.take("2") == {"id": "72", "content": "基本满意"}
    assert menus.take("2") is None  # tapped once: later numbers are plain text again


def test_subscription_and_template_notices_are_labelled() -> None:
    assert format_push(Pushed("o_1", "keyword1: 2026112400001", {}, "template")).startswith("[模板消息] keyword1")
    assert format_push(Pushed("o_1", "thing3: 已办结", {}, "bizsend")).startswith("[订阅通知] thing3")
    assert format_push(Pushed("o_1", "您上报的案件已受理", {})) == "[客服消息] 您上报的案件已受理"
