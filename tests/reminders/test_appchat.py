"""Group messages to a WeCom app chat (groups add --chat-id): appchat/send on the stand-in WeCom API,
text, markdown and an uploaded image, in order; an unknown chat is parked with the fix."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from bot.config import Config
from bot.reminders import robot as robot_api
from bot.reminders.queue import queue_messages
from models import GroupChat, OutboxJob, SentDigest
from models.outbox import JobStatus
from tests.chat import mp_env
from tests.factories import make_street
from tests.reminders.helpers import deliver_all

# the smallest valid PNG: 1x1, one grey pixel
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==")


@pytest.fixture
def wecom_service(service, wechat_api, database_url, tmp_path):  # type: ignore[no-untyped-def]
    service.config = Config.from_env(mp_env(wechat_api, database_url, tmp_path / "data"))
    return service


def app_chat(service, chat_id: str) -> int:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        street = make_street(s)
        group = GroupChat(kind="appchat", target=chat_id, street_id=street.id, name=street.name)
        s.add(group)
        s.flush()
        queue_messages(s, group.id, "digest", "2026-10-12",
                       [robot_api.text("今日到期 2 件"), robot_api.markdown("**逾期** 1 件"), robot_api.image(PNG)])
        return group.id


def test_text_markdown_and_image_reach_the_app_chat_in_order(wecom_service, wechat_api) -> None:  # type: ignore[no-untyped-def]
    chat = wechat_api.add_chat("wrOgAAAAchat01")
    app_chat(wecom_service, chat)
    deliver_all(wecom_service)
    text, markdown, image = wechat_api.chats[chat]
    assert (text["msgtype"], text["text"], text["safe"]) == ("text", {"content": "今日到期 2 件"}, 0)
    assert (markdown["msgtype"], markdown["markdown"]) == ("markdown", {"content": "**逾期** 1 件"})
    assert image["msgtype"] == "image" and wechat_api.media[image["image"]["media_id"]] == PNG
    with wecom_service.sessions() as s:
        sent = s.scalars(select(SentDigest)).one()
        assert (sent.parts, sent.parts_sent) == (3, 3) and sent.sent_at is not None
        assert {j.status for j in s.scalars(select(OutboxJob))} == {JobStatus.DONE}


def test_an_unknown_app_chat_is_parked_with_the_fix(wecom_service, wechat_api) -> None:  # type: ignore[no-untyped-def]
    app_chat(wecom_service, "wrOgAAAAgone")
    deliver_all(wecom_service)
    assert wechat_api.chats == {}
    with wecom_service.sessions() as s:
        first = s.scalars(select(OutboxJob).order_by(OutboxJob.id)).first()
        assert (first.status, first.attempts) == (JobStatus.PARKED, 1)
        assert first.last_error == ("应用群聊 wrOgAAAAgone 不存在或应用已不在群里 (86003); "
                                    "用 chengguan groups add --chat-id 登记新的群聊 id")
