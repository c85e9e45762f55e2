import random

import numpy as np
import pytest

from photocheck import HashIndex, chunk_keys, probe_keys
from photocheck.index import from_signed64, linear_scan, to_signed64


def test_chunk_keys_split_msb_first() -> None:
    assert chunk_keys(0x0123_4567_89AB_CDEF) == [0x0123, 0x4567, 0x89AB, 0xCDEF]


def test_signed_roundtrip() -> None:
    for h in (0, 1, 2**63 - 1, 2**63, 2**64 - 1):
        s = to_signed64(h)
        assert -(2**63) <= s < 2**63 and from_signed64(s) == h


def test_query_finds_items_within_radius() -> None:
    ix = HashIndex()
    base = 0xF0F0_1234_5678_9ABC
    ix.add("same", base)
    ix.add("near", base ^ 0b1011)  # 3 bits
    ix.add("far", base ^ ((1 << 20) - 1))  # 20 bits
    assert ix.query(base, 4) == [("same", 0), ("near", 3)]
    assert [i for i, _ in ix.query(base, 25)] == ["same", "near", "far"]


@pytest.mark.parametrize("radius", [0, 3, 7, 10, 12])
def test_exact_against_brute_force(radius: int) -> None:
    rng = random.Random(radius)
    hashes = [rng.getrandbits(64) for _ in range(3000)]
    # plant near neighbours so that every radius has hits
    hashes += [h ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64)) for h in hashes[:300]]
    ix = HashIndex()
    ix.add_many(enumerate(hashes))
    arr = np.array(hashes, dtype=np.uint64)
    for q in hashes[:50] + [rng.getrandbits(64) for _ in range(50)]:
        got = sorted(i for i, _ in ix.query(q, radius))
        assert got == sorted(linear_scan(arr, q, radius).tolist())
        brute = sorted(i for i, h in enumerate(hashes) if (h ^ q).bit_count() <= radius)
        assert got == brute


def test_probe_keys_cover_pigeonhole() -> None:
    keys = probe_keys(0, 10)  # 10 // 4 = 2 bits per chunk: 1 + 16 + 120 values
    assert len(keys) == 4 and all(len(k) == 137 for k in keys)
