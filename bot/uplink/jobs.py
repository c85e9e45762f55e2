"""The uplink adapters, in one table: the setting that switches each on, the outbox job kind that carries a
case step to it, and the handlers of its job kinds (registered in bot/jobs.py). `hooks.install` queues a
step job for every adapter switched on. A new kind of platform (a vendor adapter) is one more row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import PlatformConfig
from bot.uplink.hooks import KIND_OPEN311, KIND_WEBHOOK
from bot.uplink.open311_push import open311_push, open311_push_batch
from bot.uplink.open311_token import KIND_TOKEN, open311_token
from bot.uplink.poll import open311_poll
from bot.uplink.scheduling import KIND_POLL
from bot.uplink.vendor.poll import vendor_poll
from bot.uplink.vendor.push import KIND_VENDOR, KIND_VENDOR_POLL, vendor_push
from bot.uplink.webhook import webhook_push
from bot.worker import BatchHandler, JobHandler


@dataclass(frozen=True)
class Adapter:
    name: str
    step_kind: str                                # the job queued for each accept / verify / close
    enabled: Callable[[PlatformConfig], bool]
    handlers: dict[str, JobHandler]               # every job kind the adapter runs, the step kind among them
    batches: dict[str, BatchHandler] = field(default_factory=dict)  # kinds that also run a claimed batch at once


ADAPTERS = (
    Adapter("open311", KIND_OPEN311, lambda p: p.open311_enabled,
            {KIND_OPEN311: open311_push, KIND_TOKEN: open311_token, KIND_POLL: open311_poll},
            {KIND_OPEN311: open311_push_batch}),
    Adapter("webhook", KIND_WEBHOOK, lambda p: p.webhook_enabled, {KIND_WEBHOOK: webhook_push}),
    Adapter("vendor", KIND_VENDOR, lambda p: p.vendor_enabled, {KIND_VENDOR: vendor_push, KIND_VENDOR_POLL: vendor_poll}),
)
KINDS = tuple(kind for adapter in ADAPTERS for kind in adapter.handlers)


def step_kinds(platform: PlatformConfig) -> list[str]:
    """The step job kinds to queue for each case step, given the settings."""
    return [adapter.step_kind for adapter in ADAPTERS if adapter.enabled(platform)]


def uplink_handlers() -> dict[str, JobHandler]:
    return {kind: run for adapter in ADAPTERS for kind, run in adapter.handlers.items()}


def uplink_batch_handlers() -> dict[str, BatchHandler]:
    return {kind: run for adapter in ADAPTERS for kind, run in adapter.batches.items()}
