"""Photo links for the Open311 reads, made ahead of them: reads run on read-only connections and
only look links up (bot.open311.serialize), so this job, run every minute by the scheduler, makes
each linkable photo's redacted copy and its links, and renews links a day before they expire."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.db import transaction
from bot.redaction.links import PRIVATE, PUBLIC, RENEW_BEFORE, link_token
from bot.service import Service
from bot.uplink.media import passed_check
from models.base import utcnow
from models.enums import PhotoRole, PhotoStatus
from models.photo_links import PhotoLink
from models.photos import Photo

log = logging.getLogger(__name__)

READ_AUDIENCES = (PUBLIC, PRIVATE)
BATCH = 20  # redacting a 12 MP photo takes about a second: a run stays short, the next one goes on


def prepare_read_links(service: Service, batch: int = BATCH) -> int:
    """Links for up to `batch` photos that lack a live public one; returns how many were done."""
    done = 0
    with transaction(service.sessions) as session:
        fresh = select(PhotoLink.photo_id).where(PhotoLink.audience == PUBLIC,
                                                 PhotoLink.expires_at > utcnow() + RENEW_BEFORE)
        waiting = session.scalars(
            select(Photo).where(Photo.status == PhotoStatus.STORED, Photo.case_id.is_not(None),
                                Photo.role.in_((PhotoRole.PROBLEM, PhotoRole.RECTIFICATION)),
                                Photo.id.not_in(fresh)).order_by(Photo.id.desc()))
        for photo in waiting:
            if done >= batch:
                break
            if not passed_check(photo):
                continue
            for audience in READ_AUDIENCES:
                link_token(session, service.config, photo, audience)
            done += 1
    if done:
        log.info("photo links made for %s photos", done)
    return done
