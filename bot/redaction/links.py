"""One link per photo and audience, minted once and handed out again until it nears its expiry
(CHENGGUAN_MEDIA_LINK_DAYS): a listing read a thousand times gives each photo one link, not a
thousand. Every audience but `private` is served the redacted copy, so a link exists for them only
once that copy does.

Links are minted where the service may write (the worker's uplink and notice jobs, and
bot.open311.read_links, which also makes the redacted copies; the Open311 reads run on read-only
connections and only look links up)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.redaction.store import existing_copy
from models.base import utcnow
from models.photo_links import PhotoLink, PhotoRedaction
from models.photos import Photo

PUBLIC, PLATFORM, RESIDENT, PRIVATE = "public", "platform", "resident", "private"
ORIGINAL_AUDIENCES = frozenset({PRIVATE})
RENEW_BEFORE = timedelta(days=1)  # a link handed out has at least this long to live


def url_of(config: Config, token: str) -> str:
    """CHENGGUAN_PUBLIC_URL + /media/<token>, or relative without it (never the request's Host)."""
    return f"{config.platform.public_url.rstrip('/')}/media/{token}"


class NotRedactedYet(Exception):
    """The photo's redacted copy is still to be made (bot.open311.read_links does it within a minute)."""


def link_token(session: Session, config: Config, photo: Photo, audience: str) -> str | None:
    """The photo's live link token for the audience, minted when needed; None when the photo may not
    leave (it could not be redacted). Raises NotRedactedYet while its copy is still to be made."""
    if audience not in ORIGINAL_AUDIENCES:
        copy = existing_copy(session, photo.id)
        if copy is None:
            raise NotRedactedYet(f"photo {photo.id}")
        if copy.storage_path is None:
            return None
    now = utcnow()
    link = session.scalar(select(PhotoLink).where(PhotoLink.photo_id == photo.id, PhotoLink.audience == audience))
    if link is not None and link.expires_at - now > RENEW_BEFORE:
        return link.token
    if link is None:
        link = PhotoLink(photo_id=photo.id, audience=audience)
        session.add(link)
    link.token, link.created_at = secrets.token_urlsafe(32), now
    link.expires_at = now + timedelta(days=config.platform.media_link_days)
    session.flush()
    return link.token


def live_tokens(session: Session, photo_ids: Iterable[int], audience: str, now: datetime) -> dict[int, str]:
    """Read-only: the links already minted for these photos and this audience, and still good."""
    ids = list(photo_ids)
    if not ids:
        return {}
    query = select(PhotoLink.photo_id, PhotoLink.token).where(
        PhotoLink.photo_id.in_(ids), PhotoLink.audience == audience, PhotoLink.expires_at > now)
    if audience not in ORIGINAL_AUDIENCES:  # a link outlives nothing: its copy must be there too
        query = query.where(PhotoLink.photo_id.in_(
            select(PhotoRedaction.photo_id).where(PhotoRedaction.storage_path.is_not(None))))
    return dict(session.execute(query).all())


def resolve(session: Session, token: str, now: datetime) -> PhotoLink | None:
    link = session.scalar(select(PhotoLink).where(PhotoLink.token == token))
    return link if link is not None and link.expires_at > now else None
