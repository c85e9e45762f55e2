"""A callback body read into Inbound as wechatpy's message classes read it, for the fields the service uses."""

from __future__ import annotations

import pytest

from bot.channels.xml import BadMessage, parsed, to_inbound


def body(inner: str, msg_type: str = "event") -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[o_1]]></FromUserName>"
            f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{inner}</xml>").encode()


def test_text_with_its_menu_choice_and_message_id() -> None:
    inbound = to_inbound("mp", parsed(body("<Content><![CDATA[ 路口 占道 ]]></Content><MsgId>00123</MsgId>"
                                           "<bizmsgmenuid>101</bizmsgmenuid>", "text")))
    assert (inbound.kind, inbound.text, inbound.menu_id, inbound.msg_id, inbound.sender, inbound.create_time) == (
        "text", "路口 占道", "101", "123", "o_1", 1700000000)


def test_subscription_by_scanning_a_code_is_named_as_wechatpy_named_it() -> None:
    inbound = to_inbound("mp", parsed(body("<Event><![CDATA[subscribe]]></Event><EventKey>qrscene_42</EventKey>")))
    assert (inbound.kind, inbound.event, inbound.event_key) == ("event", "subscribe_scan", "42")


def test_location_picker_reads_its_nested_point() -> None:
    inbound = to_inbound("mp", parsed(body(
        "<Event>location_select</Event><EventKey>LOCATION</EventKey><SendLocationInfo><Location_X>39.9</Location_X>"
        "<Location_Y>116.3</Location_Y><Scale>15</Scale><Label><![CDATA[某路]]></Label><Poiname></Poiname>"
        "</SendLocationInfo>")))
    assert (inbound.event, inbound.lat, inbound.lon, inbound.label) == ("location_select", 39.9, 116.3, "某路")


@pytest.mark.parametrize(("channel", "event"), [("mp", "no_such_event"), ("work", "template_card_event_x")])
def test_an_event_the_platform_does_not_document_is_unknown(channel: str, event: str) -> None:
    assert to_inbound(channel, parsed(body(f"<Event>{event}</Event>"))).kind == "unknown"


def test_wecom_card_tap_deduplicates_on_its_response_code() -> None:
    inbound = to_inbound("work", parsed(body(
        "<Event>template_card_event</Event><EventKey>approve</EventKey><TaskId>t1</TaskId>"
        "<ResponseCode>rc9</ResponseCode><AgentID>1</AgentID>")))
    assert (inbound.event, inbound.event_key, inbound.task_id, inbound.response_code, inbound.msg_id) == (
        "template_card_event", "approve", "t1", "rc9", "card:rc9")


def test_repeated_fields_of_a_nested_list_are_kept_and_not_read() -> None:
    fields = parsed(body("<Event>pic_weixin</Event><EventKey>P</EventKey><SendPicsInfo><Count>2</Count><PicList>"
                         "<item><PicMd5Sum>a</PicMd5Sum></item><item><PicMd5Sum>b</PicMd5Sum></item></PicList>"
                         "</SendPicsInfo>"))
    assert fields["SendPicsInfo"]["PicList"]["item"] == [{"PicMd5Sum": "a"}, {"PicMd5Sum": "b"}]
    assert to_inbound("mp", fields).event == "pic_weixin"


@pytest.mark.parametrize("xml", [b"<xml><FromUserName>o</FromUserName></xml>", b"<xml/>",
                                 b"<xml><MsgType><a/></MsgType></xml>"])
def test_no_message_type_is_a_bad_message(xml: bytes) -> None:
    with pytest.raises(BadMessage):
        to_inbound("mp", parsed(xml))
