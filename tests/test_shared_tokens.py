"""One WeChat/WeCom access token per app for every process: fetched once (the Official Account's from
/cgi-bin/stable_token), read by the others from the database, refreshed once when WeChat knocks it out."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import outbound
from bot.config import Config
from bot.db import transaction
from bot.service import Service
from bot.simulator.api import FakeWeChatAPI, running_api
from models import ApiToken, utcnow
from models.users import CHANNEL_MP, CHANNEL_WORK
from tests.chat import mp_env

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SENDER = """
import sys
from bot.config import Config
from bot.outbound import send_text
from bot.service import Service
service = Service.build(Config.from_env())
sys.stdin.readline()  # every process starts sending at once
for n in range(5):
    send_text(service.config, "mp", f"resident-{sys.argv[1]}", f"第 {n} 条")
"""


@pytest.fixture
def api() -> Iterator[FakeWeChatAPI]:
    with running_api() as stand_in:
        for resident in ("resident-0", "resident-1", "alice", "bob"):  # inside WeChat's 48-hour window
            stand_in.user_wrote(resident)
        yield stand_in


@pytest.fixture
def env(api, database_url, tmp_path, service) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return mp_env(api, database_url, tmp_path / "data")  # `service` empties the tables afterwards


def process(env: dict[str, str]) -> Service:
    """What one more process of the deployment builds."""
    service = Service.build(Config.from_env(env))
    return service


def test_two_processes_share_one_token_and_fetch_it_once(api, env) -> None:  # type: ignore[no-untyped-def]
    senders = [subprocess.Popen([sys.executable, "-c", SENDER, str(n)], cwd=REPO, env={**os.environ, **env},
                                stdin=subprocess.PIPE, text=True) for n in range(2)]
    for sender in senders:
        sender.stdin.write("go\n")
        sender.stdin.close()
    assert [sender.wait(timeout=60) for sender in senders] == [0, 0]
    assert len(api.pushed) == 10
    assert api.token_fetches == 1 and len(api.issued_tokens) == 1


def test_a_knocked_out_token_is_refreshed_once_for_every_process(api, env) -> None:  # type: ignore[no-untyped-def]
    first, second = process(env), process(env)
    outbound.send_text(first.config, CHANNEL_MP, "alice", "一")
    outbound.send_text(second.config, CHANNEL_MP, "bob", "二")
    assert api.token_fetches == 1  # the second process read it from the database

    api.revoke_tokens()  # another system took a new token with /cgi-bin/token
    outbound.send_text(first.config, CHANNEL_MP, "alice", "三")  # rejected, refreshed (forced), retried
    outbound.send_text(second.config, CHANNEL_MP, "bob", "四")  # rejected, finds the new one in the database
    assert api.token_fetches == 2 and api.messages_to("bob") == ["二", "四"]
    with first.sessions() as s:
        row = s.get_one(ApiToken, f"mp:{api.app_id}")
    assert (row.token, row.fetches, row.refreshing_until) == (api.issued_tokens[-1], 2, None)


def test_wecom_tokens_are_shared_too(api, env) -> None:  # type: ignore[no-untyped-def]
    first, second = process(env), process(env)
    outbound.send_text(first.config, CHANNEL_WORK, "zhangsan", "一")
    outbound.send_text(second.config, CHANNEL_WORK, "lisi", "二")
    assert api.token_fetches == 1
    with first.sessions() as s:
        assert s.scalars(select(ApiToken.app_key)).all() == [f"work:{api.corp_id}:1000002"]


def test_a_refresher_that_died_frees_its_lease(api, env) -> None:  # type: ignore[no-untyped-def]
    service = process(env)
    with transaction(service.sessions) as s:
        s.add(ApiToken(app_key=f"mp:{api.app_id}", token="", fetches=0,
                       refreshing_until=utcnow() - timedelta(seconds=1)))
    outbound.send_text(service.config, CHANNEL_MP, "alice", "一")
    assert api.token_fetches == 1 and api.messages_to("alice") == ["一"]


def test_a_failed_fetch_frees_the_lease_at_once(api, env) -> None:  # type: ignore[no-untyped-def]
    service = process(env)
    api.app_secret = "changed-by-someone"  # our secret no longer works
    with pytest.raises(Exception, match="40013"):
        outbound.send_text(service.config, CHANNEL_MP, "alice", "一")
    with service.sessions() as s:
        assert s.get_one(ApiToken, f"mp:{api.app_id}").refreshing_until is None
