"""bench.webhook's verdicts on issue #19's three ratios, from made-up runs (no load, no clock)."""

from __future__ import annotations

import gc

from bench.webhook.inprocess import Cost
from bench.webhook.load import RunResult
from bench.webhook.ratios import saturation, sustains, verdict


def run(rate: float, p99_ms: float, answered: float = 1.0) -> RunResult:
    sent = int(rate * 10)
    return RunResult(rate, sent, int(sent * answered), 10.0, [p99_ms / 2] * 98 + [p99_ms] * 2)


def costs(service_ms: float, echo_ms: float) -> dict[str, dict[str, Cost]]:
    kinds = ("first message", "text", "location", "image")
    return {"service": {k: Cost(service_ms, service_ms) for k in kinds},
            "baseline": {k: Cost(echo_ms, echo_ms) for k in kinds}}


def test_a_rate_is_sustained_only_when_all_is_answered_in_time() -> None:
    assert sustains(run(100, 20))
    assert not sustains(run(100, 150))  # answered, but late
    assert not sustains(run(100, 20, answered=0.9))


def test_saturation_is_the_highest_sustained_rate() -> None:
    assert saturation([run(100, 10), run(200, 30), run(400, 900)]) == 200
    assert saturation([run(100, 500)]) == 0


def test_the_three_targets() -> None:
    echo = [run(200, 5), run(400, 10), run(800, 2000)]  # saturates at 400
    good = verdict(echo, [run(200, 60), run(300, 90), run(400, 400)], costs(0.8, 0.25))
    assert (good.rate_ratio, good.p99_ms, good.cost_ratio) == (0.75, 60, 3.2)
    assert all("**met**" in line for line in good.lines)
    bad = verdict(echo, [run(200, 250)], costs(2.0, 0.25))
    assert bad.rate_ratio == 0 and all("**missed**" in line for line in bad.lines)


def test_the_generator_records_how_late_each_send_started() -> None:
    from bench.webhook.load import run as generate

    try:
        result = generate(lambda i: 200, rate=1000, seconds=0.02, workers=2)
    finally:
        gc.unfreeze()  # the generator froze this test process's objects out of the collector
    assert len(result.lags_ms) == len(result.loop_lags_ms) == len(result.latencies_ms) == result.sent == 20
    assert all(lag <= latency for lag, latency in zip(sorted(result.lags_ms), sorted(result.latencies_ms)))


def test_the_report_shows_the_client_lag_of_each_run() -> None:
    from bench.webhook.ratios import report

    echo = [RunResult(100, 10, 10, 1.0, [5.0] * 10, [0.5] * 9 + [7.0], [0.1] * 9 + [3.0])]
    body = report(echo, [run(50, 20)], costs(1.0, 1.0), 1, 8, (0.0, 0.0))
    assert "| echo | 100 | 5.0 ms | 5.0 ms | 0.5 / 7.0 ms (3.0) |" in body
