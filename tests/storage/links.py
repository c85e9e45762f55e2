"""A photo's original behind its stable /media link (the `private` audience), as a test reads it."""

from __future__ import annotations

from bot.db import transaction
from bot.redaction.links import PRIVATE
from bot.service import Service
from bot.uplink.media import photo_url
from models import Photo


def original_link(service: Service, photo_id: int) -> str:
    with transaction(service.sessions) as session:
        url = photo_url(session, service.config, session.get_one(Photo, photo_id), PRIVATE)
    assert url is not None
    return url
