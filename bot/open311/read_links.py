"""Redacted copies and photo links, made ahead of need by a job the scheduler runs every minute: the
Open311 reads (read-only connections) only look links up, and the uplink and notice jobs wait
(RetryLater) for a copy rather than redact inside their transaction. Links are renewed a day before
they expire."""

from __future__ import annotations

import logging
from itertools import islice

from sqlalchemy import select

from bot.db import transaction
from bot.redaction.links import PRIVATE, PUBLIC, RENEW_BEFORE, link_token
from bot.redaction.store import make_copy
from bot.service import Service
from bot.uplink.media import passed_check
from models.base import utcnow
from models.enums import PhotoRole, PhotoStatus
from models.photo_links import PhotoLink, PhotoRedaction
from models.photos import Photo

log = logging.getLogger(__name__)

READ_AUDIENCES = (PUBLIC, PRIVATE)
BATCH = 20  # redacting a 12 MP photo takes a second or more: a run stays short, the next one goes on


def prepare_read_links(service: Service, batch: int = BATCH) -> int:
    """Copies and links for up to `batch` linkable photos lacking a live public link; returns how many."""
    with service.reads() as session:
        fresh = select(PhotoLink.photo_id).where(PhotoLink.audience == PUBLIC,
                                                 PhotoLink.expires_at > utcnow() + RENEW_BEFORE)
        unreadable = select(PhotoRedaction.photo_id).where(PhotoRedaction.storage_path.is_(None))
        candidates = session.scalars(
            select(Photo).where(Photo.status == PhotoStatus.STORED, Photo.case_id.is_not(None),
                                Photo.role.in_((PhotoRole.PROBLEM, PhotoRole.RECTIFICATION)),
                                Photo.id.not_in(fresh), Photo.id.not_in(unreadable)).order_by(Photo.id.desc())
            .execution_options(yield_per=100))  # failed rectification photos stay candidates: read in pages
        waiting = list(islice((p.id for p in candidates if passed_check(p)), batch))
    for photo_id in waiting:
        make_copy(service, photo_id)  # outside any transaction: it takes a while
        with transaction(service.sessions) as session:
            photo = session.get_one(Photo, photo_id)
            for audience in READ_AUDIENCES:
                link_token(session, service.config, photo, audience)
    if waiting:
        log.info("photo links made for %s photos", len(waiting))
    return len(waiting)
