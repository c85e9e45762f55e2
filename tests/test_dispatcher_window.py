"""The 48-hour window (models.reach) as the webhook records it: a message writes it again only when the record
is a minute old or messages went out since, so most messages of a conversation skip that write."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.service import Service
from models import ResidentReach, utcnow
from models.reach import RECORD_EVERY


def _window(service: Service, openid: str) -> tuple[object, int]:
    with service.engine.connect() as connection:
        row = connection.execute(select(ResidentReach.last_inbound_at, ResidentReach.sent_since_inbound)
                                 .where(ResidentReach.openid == openid)).one()
    return row.last_inbound_at, row.sent_since_inbound


def _set_window(service: Service, openid: str, **values: object) -> None:
    with service.engine.begin() as connection:
        connection.execute(update(ResidentReach).where(ResidentReach.openid == openid).values(**values))


def test_a_message_soon_after_the_recorded_one_leaves_the_window_as_it_is(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    user.send_text("帮助")
    opened, spent = _window(mp_service, user.openid)
    assert spent == 0 and utcnow() - opened < RECORD_EVERY
    user.send_text("帮助")
    assert _window(mp_service, user.openid) == (opened, 0)


def test_a_message_after_a_minute_opens_the_window_again(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    user.send_text("帮助")
    long_ago = utcnow() - RECORD_EVERY - timedelta(seconds=1)
    _set_window(mp_service, user.openid, last_inbound_at=long_ago)
    user.send_text("帮助")
    opened, spent = _window(mp_service, user.openid)
    assert opened > long_ago + RECORD_EVERY and spent == 0


def test_a_message_after_messages_went_out_resets_their_count(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    user.send_text("帮助")
    opened, _ = _window(mp_service, user.openid)
    _set_window(mp_service, user.openid, sent_since_inbound=5)  # the window's messages used up
    user.send_text("帮助")
    reopened, spent = _window(mp_service, user.openid)
    assert spent == 0 and reopened >= opened


def test_a_menu_click_always_records_its_short_window(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    user.send_text("帮助")
    user.send_event("CLICK", "HELP")
    with mp_service.engine.connect() as connection:
        clicked = connection.scalar(select(ResidentReach.last_event_at).where(ResidentReach.openid == user.openid))
    assert clicked is not None
