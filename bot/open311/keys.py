"""API keys for our GeoReport server: shown once when created, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.open311.errors import Open311Error
from models.base import utcnow
from models.platform import ApiKey


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str, *, batch: bool = False, private: bool = False) -> str:
    """Add a key named `name`; returns the key itself, which is not kept anywhere. A `private` key reads
    cases unredacted (bot.open311.readers): only for systems entitled to residents' data."""
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)):
        raise ValueError(f"已有名为 {name} 的密钥; 换一个名称, 或先停用旧密钥")
    key = "cg_" + secrets.token_urlsafe(30)
    session.add(ApiKey(name=name, key_sha256=digest(key), batch=batch, scopes="private" if private else ""))
    return key


def revoke_key(session: Session, name: str) -> bool:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        return False
    key.active = False
    return True


def authenticate(session: Session, key: str | None) -> ApiKey:
    if not key:
        raise Open311Error(403, "api_key is missing; ask the operator for a key (chengguan platform add-key)")
    found = session.scalar(select(ApiKey).where(ApiKey.key_sha256 == digest(key)))
    if found is None or not found.active:
        raise Open311Error(403, "api_key is invalid or revoked")
    found.last_used_at = utcnow()
    return found
