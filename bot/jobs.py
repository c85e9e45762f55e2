"""Which function runs each kind of outbox job. Every flow that enqueues work registers it here."""

from __future__ import annotations

from bot.worker import JobHandler


def job_handlers() -> dict[str, JobHandler]:
    return {}
