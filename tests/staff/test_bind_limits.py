"""绑定 cannot be used to guess invite codes: failed attempts are limited per WeCom user and overall,
counted in the database so that every web process sees the same count."""

from __future__ import annotations

from sqlalchemy import select

from bot.db import transaction
from handlers.binding import FAILURES_OVERALL, FAILURES_PER_USER, WINDOW_SECONDS
from models import Identity, InviteCode, Role, User, utcnow
from models.ratecounters import count_event, window
from tests.staff.test_binding_and_permissions import stranger


def issue(service) -> str:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        user = User(name="王五", role=Role.OFFICER)
        s.add(user)
        s.flush()
        invite, code = InviteCode.issue(user.id)
        s.add(invite)
    return code


def test_a_user_who_keeps_guessing_is_stopped_even_with_the_right_code(http, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    code = issue(mp_service)
    guesser = stranger(http, wechat_api, "guesser")
    for n in range(FAILURES_PER_USER):
        assert "邀请码无效" in guesser.send_text(f"绑定 AAAA{n:04d}").text
    refused = guesser.send_text(f"绑定 {code}").text
    assert "绑定尝试次数过多" in refused and "10 分钟后再试" in refused
    with mp_service.sessions() as s:
        assert s.scalars(select(Identity)).all() == [] and s.scalars(select(InviteCode.used_at)).one() is None
    assert "绑定成功" in stranger(http, wechat_api, "wangwu").send_text(f"绑定 {code}").text  # others are not held up


def test_failures_counted_by_any_process_stop_everyone(http, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    code = issue(mp_service)
    with transaction(mp_service.sessions) as s:  # as other web processes would have counted them
        bucket, ends_at = window("bind-fail:all", WINDOW_SECONDS, utcnow())
        for _ in range(FAILURES_OVERALL):
            count_event(s, bucket, ends_at)
    assert "绑定尝试次数过多" in stranger(http, wechat_api, "wangwu").send_text(f"绑定 {code}").text
