"""Photos others may fetch: problem photos, and rectification photos that passed photocheck,
behind expiring links.

A link is /media/<token>, the token random and kept per photo and audience (bot.redaction.links):
the platform and public readers get the redacted copy, `private` Open311 keys the original. An
unknown or expired token answers 403, a photo that no longer passes (or has no redacted copy) 404;
there is no listing.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.photoserve import photo_response
from bot.photostore import store_for
from bot.redaction.links import ORIGINAL_AUDIENCES, PLATFORM, NotRedactedYet, link_token, resolve, url_of
from bot.redaction.store import existing_copy
from bot.service import current_service
from models.base import utcnow
from models.enums import PhotoRole, PhotoStatus
from models.photo_links import PhotoRedaction
from models.photos import Photo


def passed_check(photo: Photo) -> bool:
    """Problem photos once stored (they show the problem; photocheck judges rectifications), and
    rectification photos only when photocheck's verdict says ok."""
    if photo.status != PhotoStatus.STORED:
        return False
    if photo.role == PhotoRole.PROBLEM:
        return True
    return isinstance(photo.check_result, dict) and photo.check_result.get("ok") is True


def sendable_photos(session: Session, case_id: int, roles: Sequence[PhotoRole]) -> list[Photo]:
    return sendable_photos_of(session, [case_id], roles).get(case_id, [])


def sendable_photos_of(session: Session, case_ids: Sequence[int], roles: Sequence[PhotoRole]) -> \
        dict[int, list[Photo]]:
    """The sendable photos of many cases in one read (a batch of pushes), by case id."""
    found: dict[int, list[Photo]] = {}
    if not roles or not case_ids:
        return found
    for photo in session.scalars(
        select(Photo).where(Photo.case_id.in_(case_ids), Photo.role.in_(roles)).order_by(Photo.id)
    ):
        if passed_check(photo):
            found.setdefault(photo.case_id, []).append(photo)
    return found


def photo_url(session: Session, config: Config, photo: Photo, audience: str = PLATFORM) -> str | None:
    """The photo's stable link for an audience (the redacted copy unless `private`), minted once."""
    token = link_token(session, config, photo, audience)
    return url_of(config, token) if token else None


def redacted_photos(session: Session, config: Config, case_id: int, limit: int) -> list[tuple[str, bytes]]:
    """The case's problem photos as (name, redacted bytes), for a platform that takes files instead of links.
    Raises NotRedactedYet while a copy is still to be made; a photo that could not be redacted is left out."""
    found: list[tuple[str, bytes]] = []
    for photo in sendable_photos(session, case_id, (PhotoRole.PROBLEM,)):
        copy = existing_copy(session, photo.id)
        if copy is None:
            raise NotRedactedYet(f"photo {photo.id}")
        if copy.storage_path and len(found) < limit:
            found.append((copy.storage_path.rsplit("/", 1)[-1], store_for(config).get(copy.storage_path)))
    return found


def upload_photo(session: Session, config: Config, case_id: int) -> tuple[str, bytes] | None:
    """The first problem photo's redacted copy, sent as `media` to a platform that takes uploads. Call it
    after content.photo_urls, which waits for the copies."""
    photos = redacted_photos(session, config, case_id, limit=1)
    return photos[0] if photos else None


def media_blueprint() -> Blueprint:
    bp = Blueprint("media", __name__)
    bp.add_url_rule("/media/<token>", "photo", _serve_photo)
    return bp


def _serve_photo(token: str):  # type: ignore[no-untyped-def]
    service = current_service()
    with service.reads() as session:
        link = resolve(session, token, utcnow())
        if link is None:
            abort(403)
        photo = session.get(Photo, link.photo_id)
        if photo is None or not passed_check(photo):
            abort(404)
        key = photo.storage_path if link.audience in ORIGINAL_AUDIENCES else session.scalar(
            select(PhotoRedaction.storage_path).where(PhotoRedaction.photo_id == photo.id))
    if not key:
        abort(404)
    response = photo_response(service.config, key, may_redirect=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
