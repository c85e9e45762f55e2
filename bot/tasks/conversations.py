"""Drafts left idle past the timeout are cleared, and their owner is told so."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.db import transaction
from bot.service import Service
from handlers.expiry import expired_text
from models import Conversation, utcnow
from models.outbox import enqueue


def expire_idle_conversations(service: Service, now: datetime | None = None) -> int:
    """Finish every conversation idle longer than the timeout; returns how many."""
    minutes = service.config.conversation_timeout_minutes
    cutoff = (now or utcnow()) - timedelta(minutes=minutes)
    with transaction(service.sessions) as session:
        idle = session.scalars(
            select(Conversation)
            .where(Conversation.flow.is_not(None), Conversation.updated_at < cutoff)
            .with_for_update(skip_locked=True)  # several processes sweep; each row is taken by one
        ).all()
        for conversation in idle:
            key = f"expired:{conversation.id}:{int(conversation.updated_at.timestamp())}"
            text = expired_text(conversation.flow, conversation.state, conversation.data, minutes)
            conversation.finish()
            if text:
                payload = {"channel": conversation.channel, "to": conversation.external_id, "text": text}
                enqueue(session, "notify.text", payload, key=key)
    return len(idle)
