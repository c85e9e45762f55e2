"""One-time invite codes that bind a staff member's WeCom account to the user an admin created.

Only a slow hash of a code is stored (scrypt, ~20 ms): a code is 40 bits, which a plain SHA-256 of
a leaked database would give up in hours; the plain code is shown once, when it is issued.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, intpk, utcnow

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed on a phone
# The salt is fixed so that a code typed in chat can be looked up by its hash; what makes the hash
# hard to reverse is the work factor.
SALT = b"chengguan.invite.v1"


def hash_code(code: str) -> str:
    """The stored form of a code, as typed or as issued (case and surrounding spaces do not matter)."""
    normalised = code.strip().upper().encode()
    return hashlib.scrypt(normalised, salt=SALT, n=2**13, r=8, p=1, dklen=32).hex()


class InviteCode(Base):
    __tablename__ = "invite_codes"

    id: Mapped[intpk]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)  # see hash_code
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    @classmethod
    def issue(cls, user_id: int, valid_for: timedelta = timedelta(days=7)) -> tuple[InviteCode, str]:
        """A new invite and its code; the code is not kept anywhere, so show it now."""
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        return cls(code_hash=hash_code(code), user_id=user_id, expires_at=utcnow() + valid_for), code

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
