"""WeChat retries a message up to three times; every copy gets the same answer and acts once,
also when the copies arrive at once on different server processes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from bot.channels import common
from bot.db import transaction, webhook_concurrency
from bot.simulator.server import running_server
from bot.simulator.user import WeChatUser
from handlers import resident
from models import Case, Conversation, Identity, InboxMessage, OutboxJob, Photo
from tests.chat import TOKEN, count, mp_env
from tests.photos import photo


def drive_to_confirmation(user: WeChatUser, api) -> None:  # type: ignore[no-untyped-def]
    user.send_image(*api.add_media(photo("coffee")))
    user.send_location(39.9, 116.3, "某路口")
    user.send_text("占道经营")
    user.send_text("1")


def test_three_deliveries_of_a_confirmation_make_one_case(new_user, mp_service, wechat_api) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    drive_to_confirmation(user, wechat_api)
    confirm = user.message_xml("text", "<Content>确认</Content>")

    replies = [user.post(confirm) for _ in range(3)]

    assert len({r.text for r in replies}) == 1 and "案件编号" in replies[0].text
    assert count(mp_service, Case) == 1


def test_retried_photo_is_fetched_once(new_user, mp_service, wechat_api) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    xml = user.message_xml("image", "<PicUrl>{}</PicUrl><MediaId>{}</MediaId>".format(
        *wechat_api.add_media(photo("chelsea"))))
    replies = [user.post(xml) for _ in range(3)]
    assert [r.status for r in replies] == [200] * 3 and replies[0].text and len({r.text for r in replies}) == 1
    assert count(mp_service, Photo) == 1 and count(mp_service, OutboxJob) == 1 and count(mp_service, InboxMessage) == 1


def test_concurrent_copies_in_one_process_act_once(new_user, mp_service, wechat_api) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    drive_to_confirmation(user, wechat_api)
    confirm = user.message_xml("text", "<Content>确认</Content>")
    barrier = threading.Barrier(3)

    def deliver(_: int) -> str | None:
        barrier.wait()
        return user.post(confirm).text

    with ThreadPoolExecutor(3) as pool:
        texts = list(pool.map(deliver, range(3)))

    assert count(mp_service, Case) == 1
    assert texts[0] and "案件编号" in texts[0] and texts == [texts[0]] * 3  # every copy: the same reply


def test_concurrent_copies_on_two_server_processes_act_once(database_url, tmp_path, service, wechat_api) -> None:  # type: ignore[no-untyped-def]
    env = mp_env(wechat_api, database_url, tmp_path / "data")
    with running_server(env, tmp_path / "a.log") as first, running_server(env, tmp_path / "b.log") as second:
        replies = _concurrent_confirmations([first, second], wechat_api)
    _assert_acted_once(service, replies)


def test_concurrent_copies_on_one_serve_with_two_web_processes_act_once(database_url, tmp_path, service,
                                                                         wechat_api) -> None:  # type: ignore[no-untyped-def]
    env = mp_env(wechat_api, database_url, tmp_path / "data")
    with running_server(env, tmp_path / "serve.log", extra_args=("--processes", "2")) as base:
        if Path("/proc").is_dir():  # the `bot web` child and its two server processes, all named by the port
            assert len(_web_processes(urlsplit(base).port)) == 3
        replies = _concurrent_confirmations([base] * 8, wechat_api)
    _assert_acted_once(service, replies)


def _web_processes(port: int | None) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"web" in arguments and str(port).encode() in arguments:
            found.append(entry.name)
    return found


def _concurrent_confirmations(bases: list[str], wechat_api) -> list[tuple[int, str | None]]:  # type: ignore[no-untyped-def]
    """The confirmation posted at once, one copy to each base on a connection of its own."""
    users = [WeChatUser(base, TOKEN, "o_twice", http=httpx.Client(timeout=10)) for base in bases]
    drive_to_confirmation(users[0], wechat_api)
    confirm = users[0].message_xml("text", "<Content>确认</Content>")
    copies = max(4, len(bases))
    barrier = threading.Barrier(copies)

    def deliver(i: int) -> tuple[int, str | None]:
        barrier.wait()
        reply = users[i % len(users)].post(confirm)
        return reply.status, reply.text

    with ThreadPoolExecutor(copies) as pool:
        return list(pool.map(deliver, range(copies)))


def _assert_acted_once(service, replies: list[tuple[int, str | None]]) -> None:  # type: ignore[no-untyped-def]
    status, text = replies[0]
    assert status == 200 and text and "案件编号" in text and replies == [(200, text)] * len(replies)
    with service.sessions() as s:
        assert len(s.scalars(select(Case)).all()) == 1
        assert s.scalars(select(Conversation)).one().flow is None
        keys = s.scalars(select(InboxMessage.dedupe_key)).all()
        assert len(keys) == len(set(keys)) == 5  # 4 steps + 1 confirmation


def test_events_without_msgid_are_deduplicated_by_sender_and_time(new_user, mp_service) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    event = user.message_xml("event", "<Event>subscribe</Event>", msg_id=False, create_time=1_700_000_000)
    assert user.post(event).text == user.post(event).text
    later = user.message_xml("event", "<Event>subscribe</Event>", msg_id=False, create_time=1_700_000_001)
    user.post(later)
    assert count(mp_service, InboxMessage) == 2


def test_a_crashing_handler_keeps_the_message(new_user, mp_service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(ctx, argument):  # type: ignore[no-untyped-def]
        ctx.conversation.start("report", "photo")
        raise RuntimeError("bug")

    monkeypatch.setattr(resident.status, "query", broken)
    user = new_user()
    reply = user.send_text("查询")
    assert "稍后再试" in reply.text
    with transaction(mp_service.sessions) as s:
        (row,) = s.scalars(select(InboxMessage)).all()
        assert row.handled_at is None and row.payload["text"] == "查询"
        assert all(c.flow is None for c in s.scalars(select(Conversation)))


def test_a_write_the_database_refuses_counts_as_a_crash(new_user, mp_service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refused(ctx, argument):  # type: ignore[no-untyped-def]
        ctx.session.add(Identity(user_id=10**9, channel="mp", external_id="nobody"))  # no such user
        return "好的"

    monkeypatch.setattr(resident.status, "query", refused)
    reply = new_user().send_text("查询")
    assert "稍后再试" in reply.text
    with transaction(mp_service.sessions) as s:
        (row,) = s.scalars(select(InboxMessage)).all()
        assert row.handled_at is None and row.payload["text"] == "查询"
        assert s.scalars(select(Identity).where(Identity.external_id == "nobody")).all() == []


def test_webhooks_take_turns_as_the_database_allows(new_user, mp_service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On SQLite one message is handled at a time per process, parsing included (bot.db.webhook_concurrency);
    a database server gets several at once. Every message is answered either way.

    No sleeps: a message being parsed waits until every request has reached the gate and as many as
    the gate lets in are inside; a gate letting in too many never gets there (bounded wait), and `most`
    shows it."""
    users = [new_user() for _ in range(6)]
    slots = webhook_concurrency(mp_service.engine)
    room = min(len(users), slots)
    changed = threading.Condition()
    arrived, inside, most = 0, 0, 0

    class CountingGate:
        def __enter__(self) -> None:
            nonlocal arrived
            with changed:
                arrived += 1
                changed.notify_all()
            gate.acquire()

        def __exit__(self, *_exc: object) -> None:
            gate.release()

    gate, mp_service.webhook_slots = mp_service.webhook_slots, CountingGate()  # type: ignore[assignment]
    real_to_inbound = common.to_inbound

    def crowded_to_inbound(*args):  # type: ignore[no-untyped-def]
        nonlocal inside, most
        with changed:
            inside += 1
            most = max(most, inside)
            changed.notify_all()
            changed.wait_for(lambda: arrived == len(users) and inside == room, timeout=10)
            inside -= 1
            changed.notify_all()
        return real_to_inbound(*args)

    monkeypatch.setattr(common, "to_inbound", crowded_to_inbound)
    barrier = threading.Barrier(len(users))

    def ask(user: WeChatUser) -> str | None:
        barrier.wait()
        return user.send_text("查询").text

    with ThreadPoolExecutor(len(users)) as pool:
        replies = list(pool.map(ask, users))
    assert replies == ["您还没有上报过问题。发送一张照片即可开始随手拍。"] * len(users)
    assert most == (1 if mp_service.engine.dialect.name == "sqlite" else min(len(users), 5))
