"""Issue #19's three targets for the webhook, each a ratio against the echo baseline of the same run:
sustained rate >= 0.5x the echo's saturation rate, p99 < 100 ms at half that rate, server time per
message <= 4x the echo's. Absolute figures do not travel between machines; these ratios do."""

from __future__ import annotations

import os
from dataclasses import dataclass

from bench.results import machine
from bot.webserver import chosen_server
from bench.webhook.cpu import budget_table
from bench.webhook.inprocess import Cost
from bench.webhook.load import RunResult

SUSTAINED_SHARE = 0.95  # a rate is sustained when this share of it was answered on time…
SUSTAINED_P99_MS = 100.0  # …and 99 % of the answers came within this
MIX = {"text": 0.6, "location": 0.2, "image": 0.2}  # the load's mix (bench.webhook.load.mixed_sender)
TARGET_RATE_RATIO, TARGET_P99_MS, TARGET_COST_RATIO = 0.5, 100.0, 4.0
STANDIN_PLACES = {"process": "a process of their own", "thread": "the generator's process (`--standin process`: in their own; measured worse, bench.webhook.ab)"}
SERVER_NAMES = {"granian": "granian, its HTTP in Rust", "gunicorn": "gunicorn's gthread worker", "waitress": "waitress"}


def sustains(result: RunResult) -> bool:
    return (result.ok == result.sent and result.achieved >= SUSTAINED_SHARE * result.rate
            and result.percentile(99) < SUSTAINED_P99_MS)


def saturation(ramp: list[RunResult]) -> float:
    """The highest rate of the ramp the server sustained (0 when it sustained none)."""
    return max((r.rate for r in ramp if sustains(r)), default=0.0)


def mixed(costs: dict[str, Cost], field: str) -> float:
    """Server time of the load's mix, from the per-kind medians."""
    return sum(share * getattr(costs[kind], field) for kind, share in MIX.items())


@dataclass(frozen=True)
class Verdict:
    rate_ratio: float
    p99_ms: float
    cost_ratio: float

    @property
    def lines(self) -> list[str]:
        def met(ok: bool) -> str:
            return "**met**" if ok else "**missed**"

        return [
            f"- Sustained rate ≥ {TARGET_RATE_RATIO}× the echo's: {met(self.rate_ratio >= TARGET_RATE_RATIO)} "
            f"({self.rate_ratio:.2f}×)",
            f"- p99 < {TARGET_P99_MS:.0f} ms at half the echo's saturation rate: "
            f"{met(self.p99_ms < TARGET_P99_MS)} ({self.p99_ms:.1f} ms)",
            f"- Server time per message ≤ {TARGET_COST_RATIO:.0f}× the echo's (CPU, the load's mix): "
            f"{met(self.cost_ratio <= TARGET_COST_RATIO)} ({self.cost_ratio:.1f}×)",
        ]


def verdict(echo: list[RunResult], service: list[RunResult], costs: dict[str, dict[str, Cost]]) -> Verdict:
    """`service[0]` ran at half the echo's saturation rate, the rest of `service` up or down the echo's ramp."""
    echo_saturation = saturation(echo)
    return Verdict(rate_ratio=saturation(service) / echo_saturation if echo_saturation else 0.0,
                   p99_ms=service[0].percentile(99),
                   cost_ratio=mixed(costs["service"], "cpu_ms") / mixed(costs["baseline"], "cpu_ms"))


def report(echo: list[RunResult], service: list[RunResult], costs: dict[str, dict[str, Cost]], seconds: float,
           threads: int, load: tuple[float, float], photos_drained: dict[float, float | None] | None = None,
           standin: str = "process", drain_cpu: dict[float, tuple[dict[str, float], int]] | None = None) -> str:
    rows = ["| run | offered (msg/s) | p50 | p99 | client lag p50 / p99 (schedule p99) | answered | sustained |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for label, r in [*(("echo", r) for r in echo), *(("service", r) for r in service)]:
        rows.append(f"| {label} | {r.rate:.0f} | {r.p50:.1f} ms | {r.percentile(99):.1f} ms | {r.lag(50):.1f} / "
                    f"{r.lag(99):.1f} ms ({r.loop_lag(99):.1f}) | {r.ok}/{r.sent} in {r.seconds:.1f} s | {'yes' if sustains(r) else 'no'} |")
    cost_rows = ["| message | service (CPU / clock) | echo (CPU / clock) | ratio (CPU) |", "| --- | --- | --- | --- |"]
    for kind, s in costs["service"].items():
        b = costs["baseline"][kind]
        cost_rows.append(f"| {kind} | {s.cpu_ms:.2f} / {s.wall_ms:.2f} ms | {b.cpu_ms:.2f} / {b.wall_ms:.2f} ms "
                         f"| {s.cpu_ms / b.cpu_ms:.1f}× |")
    mix_s, mix_b = mixed(costs["service"], "cpu_ms"), mixed(costs["baseline"], "cpu_ms")
    cost_rows.append(f"| the load's mix (60/20/20) | {mix_s:.2f} ms | {mix_b:.2f} ms | {mix_s / mix_b:.1f}× |")
    return (
        f"Machine: {machine()}; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end (other work "
        f"shares the 2 cores, so clock times vary run to run; the ratios are of one run).\n\n"
        f"`python -m bench.webhook --seconds {seconds:g}`: first a ramp of the echo baseline (a bare Flask endpoint "
        f"that checks the signature, parses and answers; `bench/webhook/baseline.py`) to its saturation rate, the "
        f"highest rate it sustained ({SUSTAINED_SHARE:.0%} answered, p99 < {SUSTAINED_P99_MS:.0f} ms); then "
        f"`chengguan serve` (SQLite, plain mode; its worker child process fetches the image messages' photos) at "
        f"half that rate and on up the same ramp to its own (down the ramp when it does not sustain half). Both "
        f"served by `bot.webserver` ({SERVER_NAMES[chosen_server()]}, {threads} threads); open-loop load of 60 % text, "
        f"20 % location, 20 % image messages from 300 new residents per rate (each rate starts with their 300 first "
        f"messages), {seconds:g} s per rate, latency from the scheduled send time; the stand-in WeChat API and photo "
        f"host run in {STANDIN_PLACES[standin]}; the load generator shares the 2 cores, so the echo's saturation is partly the generator's. Client lag: how late the generator started each "
        f"send against its due time, inside the p50/p99: its schedule's own lateness (in brackets: the loop "
        f"descheduled or waiting for the interpreter lock) plus the wait for a free one of its 64 sending threads "
        f"(all busy when the server is slow).\n\n"
        + "\n".join(rows)
        + f"\n\nSaturation (the highest rate sustained): echo {saturation(echo):.0f} msg/s, service "
        f"{saturation(service):.0f} msg/s; the service started at half the echo's.\n\n"
        + _drain_line(photos_drained)
        + _cpu_budget(echo, service, drain_cpu or {})
        + "Server time per message without the network (the app through WSGI in this process, median over 200 "
        "residents; CPU time of the serving thread, steadier than the clock on a shared machine):\n\n"
        + "\n".join(cost_rows) + "\n\nTargets (issue #19), same run:\n\n"
        + "\n".join(verdict(echo, service, costs).lines) + "\n"
    )


def _drain_line(drained: dict[float, float | None] | None) -> str:
    if not drained:
        return ""
    times = ", ".join(f"{rate:.0f} msg/s " + ("over 120 s" if s is None else f"{s:.1f} s") for rate, s in drained.items())
    return ("The worker's photos (20 % of the messages: download, fingerprint and features in its analysis child under "
            f"SCHED_IDLE, then stored): every one stored or refused this long after each rate's last answer: {times}; "
            "the next rate started after that.\n\n")


def _cpu_budget(echo: list[RunResult], service: list[RunResult],
                drain_cpu: dict[float, tuple[dict[str, float], int]]) -> str:
    runs = [*(("echo", r, None) for r in echo), *(("service", r, drain_cpu.get(r.rate)) for r in service)]
    if not any(r.cpu_s for _, r, _ in runs):
        return ""
    return ("Where the CPU went (`bench.webhook.cpu`: utime+stime of each process from /proc before and after each "
            "rate; CPU seconds per second / ms per message sent; the generator's process holds the load's sending "
            "threads and the stand-in; the last column adds the worker's and its analysis child's CPU until the "
            "rate's last photo was stored, per photo the webhooks accepted (a report keeps at most 3, so fewer than "
            "the image messages):\n\n"
            + budget_table([(label, r.rate, r.sent, r.seconds, r.cpu_s, drain) for label, r, drain in runs]) + "\n\n")


def load_average() -> float:
    return os.getloadavg()[0]
