"""Near-duplicate lookup over 64-bit perceptual hashes by multi-index hashing.

A hash is cut into CHUNKS = 4 chunks of 16 bits. By the pigeonhole principle, if
two hashes differ in at most r bits, at least one chunk differs in at most
r // 4 bits. So the candidates for a query are the stored hashes that equal, in
some chunk, one of the chunk values within r // 4 bits of the query's chunk
(1 + 16 + 120 = 137 values per chunk for r <= 11). Every candidate is then checked
exactly. Recall is therefore exact for any radius; only the number of probes grows.

Use in SQL (SQLite and PostgreSQL alike): store each photo hash with four extra
integer columns from `chunk_keys(h)` and index each column::

    CREATE TABLE photo_hash (photo_id INTEGER, phash BIGINT, c0 INTEGER, c1 INTEGER, c2 INTEGER, c3 INTEGER);
    CREATE INDEX ix_photo_hash_c0 ON photo_hash (c0);   -- and c1, c2, c3

    INSERT ... VALUES (:id, :phash, :c0, :c1, :c2, :c3)  -- phash=to_signed64(h), c0..c3 = chunk_keys(h)

Look up with `probe_keys(q, radius)` (one list of values per chunk)::

    SELECT photo_id, phash FROM photo_hash
     WHERE c0 IN (:p0) OR c1 IN (:p1) OR c2 IN (:p2) OR c3 IN (:p3)

and keep the rows with `hamming(from_signed64(phash), q) <= radius` (or, on
PostgreSQL 14+, `bit_count((phash # :q)::bit(64)) <= :radius` in the query).
BIGINT is signed, hence `to_signed64`/`from_signed64`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

CHUNKS = 4
CHUNK_BITS = 16
_MASK = (1 << CHUNK_BITS) - 1


def chunk_keys(h: int) -> list[int]:
    """The four 16-bit chunks of a 64-bit hash, most significant first."""
    return [(h >> (CHUNK_BITS * (CHUNKS - 1 - i))) & _MASK for i in range(CHUNKS)]


def _neighbours(value: int, radius: int) -> list[int]:
    out = [value]
    for r in range(1, radius + 1):
        for bits in combinations(range(CHUNK_BITS), r):
            flip = 0
            for b in bits:
                flip |= 1 << b
            out.append(value ^ flip)
    return out


def probe_keys(h: int, radius: int) -> list[list[int]]:
    """For each chunk, the values a stored hash within `radius` must match in at least one chunk."""
    per_chunk = radius // CHUNKS
    return [_neighbours(v, per_chunk) for v in chunk_keys(h)]


def to_signed64(h: int) -> int:
    return h - (1 << 64) if h >= 1 << 63 else h


def from_signed64(v: int) -> int:
    return v + (1 << 64) if v < 0 else v


class HashIndex:
    """In-memory multi-index hash table. Bulk `add` is cheap; the sorted chunk tables are
    rebuilt lazily on the next query."""

    def __init__(self) -> None:
        import numpy as np  # here, not at module level: the key functions above need none of it

        self._ids: list[Hashable] = []
        self._pending: list[int] = []
        self._hashes = np.empty(0, np.uint64)
        self._order: list[np.ndarray] = []
        self._sorted: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, item_id: Hashable, h: int) -> None:
        self._ids.append(item_id)
        self._pending.append(h)

    def add_many(self, items: Iterable[tuple[Hashable, int]]) -> None:
        for item_id, h in items:
            self.add(item_id, h)

    def _build(self) -> None:
        if not self._pending:
            return
        import numpy as np

        new = np.array(self._pending, dtype=np.uint64)
        self._hashes = np.concatenate([self._hashes, new])
        self._pending = []
        self._order, self._sorted = [], []
        for i in range(CHUNKS):
            shift = np.uint64(CHUNK_BITS * (CHUNKS - 1 - i))
            chunk = ((self._hashes >> shift) & np.uint64(_MASK)).astype(np.uint16)
            order = np.argsort(chunk, kind="stable")
            self._order.append(order)
            self._sorted.append(chunk[order])

    def query(self, h: int, radius: int) -> list[tuple[Hashable, int]]:
        """All (id, distance) with Hamming distance <= radius, nearest first."""
        import numpy as np

        self._build()
        if not self._ids:
            return []
        parts = []
        for i, keys in enumerate(probe_keys(h, radius)):
            k = np.array(keys, dtype=np.uint16)
            lo = np.searchsorted(self._sorted[i], k, "left")
            hi = np.searchsorted(self._sorted[i], k, "right")
            lengths = hi - lo
            total = int(lengths.sum())
            if total:
                # Concatenated ranges [lo, hi) without a Python loop.
                starts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
                parts.append(self._order[i][starts + np.arange(total)])
        if not parts:
            return []
        cand = np.unique(np.concatenate(parts))
        dist = np.bitwise_count(self._hashes[cand] ^ np.uint64(h))
        keep = dist <= radius
        cand, dist = cand[keep], dist[keep]
        order = np.argsort(dist, kind="stable")
        return [(self._ids[int(c)], int(d)) for c, d in zip(cand[order], dist[order])]


def linear_scan(hashes: np.ndarray, h: int, radius: int) -> np.ndarray:
    """Baseline: indices of all hashes within radius, by vectorised popcount over everything."""
    import numpy as np

    return np.flatnonzero(np.bitwise_count(hashes ^ np.uint64(h)) <= radius)
