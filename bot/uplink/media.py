"""Photos the platform may fetch: problem photos, and rectification photos that passed photocheck,
behind expiring signed links.

A link is /media/<token>, the token an itsdangerous timed signature of the photo id. A bad or
expired token answers 403, a photo that no longer passes 404; there is no listing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Blueprint, abort, send_file
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.service import current_service
from bot.uplink.signing import secret_key
from models.enums import PhotoRole, PhotoStatus
from models.photos import Photo

SALT = "chengguan.media.v1"


def passed_check(photo: Photo) -> bool:
    """Problem photos once stored (they show the problem; photocheck judges rectifications), and
    rectification photos only when photocheck's verdict says ok."""
    if photo.status != PhotoStatus.STORED:
        return False
    if photo.role == PhotoRole.PROBLEM:
        return True
    return isinstance(photo.check_result, dict) and photo.check_result.get("ok") is True


def sendable_photos(session: Session, case_id: int, roles: Sequence[PhotoRole]) -> list[Photo]:
    photos = session.scalars(
        select(Photo).where(Photo.case_id == case_id, Photo.role.in_(roles)).order_by(Photo.id)
    ).all()
    return [p for p in photos if passed_check(p)]


def upload_file(session: Session, config: Config, case_id: int) -> Path | None:
    """The first problem photo's file, for a platform that takes uploads instead of media_url."""
    for photo in sendable_photos(session, case_id, (PhotoRole.PROBLEM,)):
        path = inside_folder(config.photo_dir, photo.storage_path)
        if path is not None and path.is_file():
            return path
    return None


def _serializer(config: Config) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(config), salt=SALT)


def media_url(config: Config, photo_id: int, base: str | None = None) -> str:
    token = _serializer(config).dumps({"p": photo_id})
    return f"{(base or config.platform.public_url).rstrip('/')}/media/{token}"


def photo_id_from(config: Config, token: str) -> int | None:
    """The photo id a token names, or None when it is forged or older than the link lifetime."""
    try:
        data = _serializer(config).loads(token, max_age=config.platform.media_link_days * 86400)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None
    value = data.get("p") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def media_blueprint() -> Blueprint:
    bp = Blueprint("media", __name__)
    bp.add_url_rule("/media/<token>", "photo", _serve_photo)
    return bp


def _serve_photo(token: str):  # type: ignore[no-untyped-def]
    service = current_service()
    photo_id = photo_id_from(service.config, token)
    if photo_id is None:
        abort(403)
    with service.reads() as session:
        photo = session.get(Photo, photo_id)
        if photo is None or not passed_check(photo):
            abort(404)
        path = inside_folder(service.config.photo_dir, photo.storage_path)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg" if path.suffix.lower() in (".jpg", ".jpeg") else None,
                         max_age=3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def inside_folder(folder: Path, relative: str) -> Path | None:
    """The photo's file, refusing any stored path that points outside the photo folder."""
    root = folder.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) else None
