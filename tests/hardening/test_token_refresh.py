"""A rejected access token is refreshed once and the call retried once; an API that rejects every
token parks the job with the reason instead of fetching tokens without end (WeChat allows 2,000
fetches a day per account)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.jobs import job_handlers
from bot.simulator.api import FakeWeChatAPI
from bot.worker import Worker
from models import JobStatus, OutboxJob
from models.outbox import enqueue
from models.users import CHANNEL_MP, CHANNEL_WORK


def push(service, channel: str, to: str = "someone") -> int:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        job = enqueue(s, "notify.text", {"channel": channel, "to": to, "text": "您的案件已受理"})
        s.flush()
        return job.id


def job(service, job_id: int) -> OutboxJob:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.scalars(select(OutboxJob).where(OutboxJob.id == job_id)).one()


@pytest.mark.parametrize("channel", [CHANNEL_MP, CHANNEL_WORK])
def test_an_api_rejecting_every_token_costs_one_refresh_per_call_then_parks(
        channel: str, mp_service, wechat_api: FakeWeChatAPI) -> None:  # type: ignore[no-untyped-def]
    wechat_api.reject_all_tokens = True
    first, second = push(mp_service, channel), push(mp_service, channel)
    assert Worker(mp_service, job_handlers()).run_once() == 2
    # first call: the initial fetch and one refresh; second call: one refresh (the cached token failed)
    assert wechat_api.token_fetches == 3
    for job_id in (first, second):
        parked = job(mp_service, job_id)
        assert parked.status == JobStatus.PARKED
        assert "40001" in (parked.last_error or "")
        assert ("WECHAT_APP_SECRET" if channel == CHANNEL_MP else "WECOM_SECRET") in (parked.last_error or "")
    assert wechat_api.pushed == []


@pytest.mark.parametrize("channel", [CHANNEL_MP, CHANNEL_WORK])
def test_a_revoked_token_is_refreshed_once_and_the_message_sent(
        channel: str, mp_service, wechat_api: FakeWeChatAPI) -> None:  # type: ignore[no-untyped-def]
    worker = Worker(mp_service, job_handlers())
    wechat_api.user_wrote("before")  # residents inside WeChat's customer-service window
    wechat_api.user_wrote("after")
    push(mp_service, channel, "before")
    worker.run_once()
    assert wechat_api.token_fetches == 1
    wechat_api.revoke_tokens()  # e.g. another system fetched a new token with the same secret
    later = push(mp_service, channel, "after")
    worker.run_once()
    assert wechat_api.token_fetches == 2
    assert job(mp_service, later).status == JobStatus.DONE
    assert wechat_api.messages_to("after") == ["您的案件已受理"]
