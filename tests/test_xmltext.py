"""Characters XML 1.0 cannot carry are cleaned from chat text too (the parser refuses most of them
in the body already; this covers what reaches the dispatcher from any parser)."""

from __future__ import annotations

from bot.channels.xml import to_inbound
from bot.xmltext import xml_safe


def test_xml_safe_keeps_tab_newline_and_chinese_and_drops_the_rest() -> None:
    assert xml_safe("a\tb\nc\r垃圾\x00\x08\x0b\x0c\x1b\x1f\ufffe\uffff") == "a\tb\nc\r垃圾"


def test_chat_text_and_location_label_arrive_without_control_characters() -> None:
    base = {"FromUserName": "o_user", "ToUserName": "gh_1", "CreateTime": "1764400000", "MsgId": "1"}
    text = to_inbound("mp", {**base, "MsgType": "text", "Content": "路口\x00垃圾\x0b\x1b多"})
    assert text.text == "路口垃圾多"
    place = to_inbound("mp", {**base, "MsgType": "location", "Location_X": "39.9", "Location_Y": "116.4",
                              "Scale": "15", "Label": "长安街\x00\x0c1号"})
    assert place.label == "长安街1号"
