"""Rates as configured ("120/minute") and the in-memory limiter the Open311 read API uses."""

from __future__ import annotations

import pytest

from bot.rates import MemoryLimiter, Rate


@pytest.mark.parametrize(("text", "amount", "seconds"), [
    ("120/minute", 120, 60), ("10/second", 10, 1), ("5/10 minutes", 5, 600), ("1000 per day", 1000, 86400),
])
def test_rates_read_as_written(text, amount, seconds) -> None:  # type: ignore[no-untyped-def]
    assert (Rate.parse(text).amount, Rate.parse(text).seconds) == (amount, seconds)


@pytest.mark.parametrize("text", ["lots", "0/minute", "-5/second", "5/0 minutes", "5/fortnight", ""])
def test_nonsense_rates_are_refused(text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        Rate.parse(text)


def test_a_burst_of_at_most_the_amount_then_one_per_interval_per_key() -> None:
    limiter = MemoryLimiter(Rate.parse("3/minute"))
    assert [limiter.wait_seconds("a", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait_seconds("a", now=100.0) == pytest.approx(20.0)  # the next place frees after 60/3 s
    assert limiter.wait_seconds("b", now=100.0) == 0.0  # another client has its own places
    assert limiter.wait_seconds("a", now=119.9) > 0 and limiter.wait_seconds("a", now=120.0) == 0.0
    assert limiter.wait_seconds("a", now=120.0) > 0


def test_the_limiter_forgets_idle_clients_instead_of_growing() -> None:
    limiter = MemoryLimiter(Rate.parse("1/second"), max_keys=10)
    for n in range(50):
        limiter.wait_seconds(f"10.0.0.{n}", now=float(n))
    assert len(limiter._next_free) <= 10


def test_a_large_amount_is_spread_out_not_allowed_at_once() -> None:
    limiter = MemoryLimiter(Rate.parse("120/minute"), burst=10)
    assert sum(limiter.wait_seconds("a", now=0.0) == 0.0 for _ in range(50)) == 10
    assert limiter.wait_seconds("a", now=0.5) == pytest.approx(0.0)  # one more every 0.5 s
    assert limiter.wait_seconds("a", now=0.5) == pytest.approx(0.5)
