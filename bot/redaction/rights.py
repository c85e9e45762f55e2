"""Who may see a photo as it was taken (faces, plates, EXIF): the right `photos.original`. Everyone
else, in the console too, is shown the redacted copy; the photo checks always read the original."""

from __future__ import annotations

from models.enums import Role
from models.users import User

PHOTOS_ORIGINAL = "photos.original"
RIGHTS: dict[Role, frozenset[str]] = {Role.ADMIN: frozenset({PHOTOS_ORIGINAL})}


def has_right(user: User, right: str) -> bool:
    return right in RIGHTS.get(user.role, frozenset())
