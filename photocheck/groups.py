"""Near-duplicate groups among many fingerprints (connected components over the hash index)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from .fingerprint import Fingerprint
from .index import HashIndex


def near_duplicate_groups(prints: Mapping[Hashable, Fingerprint], radius: int) -> list[list[Hashable]]:
    """Groups (size >= 2) of photos linked by identical bytes or a pHash within `radius`
    (any rotation/mirror of one against the whole or content hash of the other)."""
    keys = list(prints)
    index = HashIndex()
    for n, k in enumerate(keys):
        for h in prints[k].index_hashes():
            index.add(n, h)
    parent = list(range(len(keys)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_sha: dict[str, int] = {}
    for n, k in enumerate(keys):
        fp = prints[k]
        if fp.sha256 in by_sha:
            parent[find(n)] = find(by_sha[fp.sha256])
        by_sha.setdefault(fp.sha256, n)
        for v in fp.phash_variants:
            for other, _ in index.query(v, radius):
                if other != n:
                    parent[find(n)] = find(other)
    groups: dict[int, list[Hashable]] = {}
    for n, k in enumerate(keys):
        groups.setdefault(find(n), []).append(k)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), str(g[0])))
