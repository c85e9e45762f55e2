"""Which function runs each kind of outbox job. Every flow that enqueues work registers it here."""

from __future__ import annotations

from bot.reminders.send import KIND as GROUP_SEND, send_group_message
from bot.tasks.notify import send_photo, send_text
from bot.tasks.photos import fetch_photo
from bot.tasks.rectify import check_rectification_photo
from bot.uplink.jobs import uplink_handlers
from bot.worker import JobHandler


def job_handlers() -> dict[str, JobHandler]:
    return {
        **uplink_handlers(),  # open311.push, open311.token, open311.poll, webhook.push
        "photo.fetch": fetch_photo,
        "rectify.check": check_rectification_photo,
        "notify.text": send_text,
        "notify.photo": send_photo,
        GROUP_SEND: send_group_message,  # digests and bulletins to group chats
    }
