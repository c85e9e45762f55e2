"""The near-duplicate index of every stored photo, in the database, for the reuse check.

Each photo's perceptual hashes are stored with their four 16-bit chunks in indexed columns
(multi-index hashing, see photocheck.index): a lookup asks for rows sharing a chunk value within
radius // 4 bits of the query's, then checks the full Hamming distance. Works the same on SQLite
and PostgreSQL; no extension needed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, ForeignKey, Integer, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, intpk
from models.photos import Photo
from photocheck import Fingerprint, chunk_keys, probe_keys
from photocheck.index import from_signed64, to_signed64


class PhotoHash(Base):
    __tablename__ = "photo_hashes"

    id: Mapped[intpk]
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"), index=True)
    phash: Mapped[int] = mapped_column(BigInteger)  # signed 64-bit, as BIGINT is
    c0: Mapped[int] = mapped_column(Integer, index=True)
    c1: Mapped[int] = mapped_column(Integer, index=True)
    c2: Mapped[int] = mapped_column(Integer, index=True)
    c3: Mapped[int] = mapped_column(Integer, index=True)


def index_photo(session: Session, photo_id: int, fp: Fingerprint) -> None:
    for h in fp.index_hashes():
        c0, c1, c2, c3 = chunk_keys(h)
        session.add(PhotoHash(photo_id=photo_id, phash=to_signed64(h), c0=c0, c1=c1, c2=c2, c3=c3))


def similar_photos(
    session: Session, fp: Fingerprint, radius: int, exclude: Iterable[int] = ()
) -> list[tuple[int, Fingerprint]]:
    """Stored photos with a hash within `radius` of any of this photo's hashes (rotations and mirrors
    included), with their fingerprints, for photocheck's `earlier` argument."""
    excluded = set(exclude)
    found: set[int] = set()
    for h in dict.fromkeys((fp.phash, *fp.phash_variants)):
        p0, p1, p2, p3 = probe_keys(h, radius)
        rows = session.execute(
            select(PhotoHash.photo_id, PhotoHash.phash).where(
                or_(PhotoHash.c0.in_(p0), PhotoHash.c1.in_(p1), PhotoHash.c2.in_(p2), PhotoHash.c3.in_(p3))
            )
        )
        found |= {pid for pid, stored in rows if pid not in excluded and (from_signed64(stored) ^ h).bit_count() <= radius}
    if not found:
        return []
    photos = session.scalars(select(Photo).where(Photo.id.in_(found), Photo.fingerprint.is_not(None)))
    return [(p.id, Fingerprint.from_dict(p.fingerprint)) for p in photos]
