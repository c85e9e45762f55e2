"""Console passwords: argon2id hashes from argon2-cffi (salted, parameters kept inside the hash)."""

from __future__ import annotations

import hashlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the login name is unknown, so a wrong name takes as long as a wrong password.
    Made on first use: hashing costs ~0.2 s of CPU, which every `chengguan` command paid at import."""
    return _hasher.hash("chengguan-console-no-such-user")


class WeakPassword(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少 {MIN_LENGTH} 个字符, 请换一个更长的密码。")
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def stamp(stored_hash: str | None) -> str:
    """A short fingerprint of the hash kept in the session: a new password signs out old sessions."""
    return hashlib.sha256((stored_hash or "").encode()).hexdigest()[:16]
