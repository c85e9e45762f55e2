"""The uplink's outbox job kinds and their handlers (registered in bot/jobs.py)."""

from __future__ import annotations

from bot.uplink.hooks import KIND_OPEN311, KIND_WEBHOOK
from bot.uplink.open311_push import KIND_TOKEN, open311_push, open311_token
from bot.uplink.poll import open311_poll
from bot.uplink.scheduling import KIND_POLL
from bot.uplink.webhook import webhook_push
from bot.worker import JobHandler

KINDS = (KIND_OPEN311, KIND_TOKEN, KIND_POLL, KIND_WEBHOOK)


def uplink_handlers() -> dict[str, JobHandler]:
    return {KIND_OPEN311: open311_push, KIND_TOKEN: open311_token, KIND_POLL: open311_poll,
            KIND_WEBHOOK: webhook_push}
