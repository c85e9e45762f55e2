"""The passive reply's XML template: what WeChat reads back from it, whatever the text holds."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from bot.channels.reply_xml import text_reply


@pytest.mark.parametrize("content", ["已收到, 请发送位置", "引用: a]]>b <&> ]]]]>", "]]>", "第一行\n第二行"])
def test_reply_carries_the_text_whole(content: str) -> None:
    root = ET.fromstring(text_reply(content, sender="gh_account", recipient="o_]]>resident", now=1700000000))
    assert root.tag == "xml"
    assert {child.tag: child.text for child in root} == {
        "MsgType": "text", "Content": content, "FromUserName": "gh_account", "ToUserName": "o_]]>resident",
        "CreateTime": "1700000000"}


def test_reply_is_stamped_now_when_no_time_is_given() -> None:
    before = int(time.time())
    stamped = int(ET.fromstring(text_reply("好", sender="gh", recipient="o")).findtext("CreateTime") or 0)
    assert before <= stamped <= int(time.time())
