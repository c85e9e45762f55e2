"""Who reads our GeoReport server, and so what they may see.

Reads need an api key (`api_key=` or the X-Api-Key header) unless CHENGGUAN_OPEN311_PUBLIC_READ=1.
A key with the `private` scope sees cases as stored (resident text, exact place, original photos);
anyone else, keyed or anonymous in public mode, sees no resident identity, masked text, coordinates
snapped to ~50 m and only redacted photos (bot.open311.serialize)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Open311Limits
from bot.open311.errors import Open311Error
from bot.open311.keys import digest
from bot.redaction.links import PRIVATE, PUBLIC
from models.platform import ApiKey

PRIVATE_SCOPE = "private"
KEY_NEEDED = ("读取案件需要 api_key, 请向平台管理员申请 (chengguan platform add-key) / "
              "an api_key is required to read service requests; ask the operator for one")
KEY_REFUSED = "api_key 无效或已停用, 请联系平台管理员 / api_key is invalid or revoked"


@dataclass(frozen=True)
class Reader:
    audience: str   # PRIVATE or PUBLIC: which photo links and which shape of each case
    keyed: bool     # answers to a key are not for shared caches

    @property
    def private(self) -> bool:
        return self.audience == PRIVATE


def reader(session: Session, request: Request, limits: Open311Limits) -> Reader:
    """The reader of this request, or 401 with a GeoReport error when it may not read."""
    key = request.args.get("api_key") or request.headers.get("X-Api-Key")
    if not key:
        if limits.public_read:
            return Reader(PUBLIC, keyed=False)
        raise Open311Error(401, KEY_NEEDED)
    found = session.scalar(select(ApiKey).where(ApiKey.key_sha256 == digest(key)))
    if found is None or not found.active:
        raise Open311Error(401, KEY_REFUSED)
    return Reader(PRIVATE if PRIVATE_SCOPE in scopes_of(found) else PUBLIC, keyed=True)


def scopes_of(key: ApiKey) -> set[str]:
    return {part.strip() for part in (key.scopes or "").split(",") if part.strip()}
