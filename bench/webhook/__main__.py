"""Webhook benchmark: `python -m bench.webhook [--seconds S] [--ramp 100,150,200,300,400,600,800]`.

By default it measures issue #19's three ratios in one run (bench.webhook.ratios): a ramp of the echo
baseline (a bare signature-checking Flask endpoint) finds its saturation rate, then `chengguan serve`
on the embedded default (SQLite, local photo folder, in-process worker) takes an open-loop mix of text,
location and image messages at half that rate; the in-process server time per message of both follows.
The figures go to bench/RESULTS.md ("webhook"). The load generator runs on the same 2-core machine.

With `--readers N --rates 100,200` it measures instead what anonymous Open311 readers do to the webhooks: on
one server with 1,000 cases (`--cases`), each rate runs without readers and then with N clients polling
the case listing back to back; the section "webhook with Open311 readers" gets both p99s.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.results import machine, write_section
from bench.webhook.inprocess import per_message_ms
from bench.webhook import cpu, ratios
from bench.webhook.load import LightHTTP, RunResult, mixed_sender, run
from bench.webhook.pollers import WARM_UP_S, Readers
from bench.webhook.readers import seed_cases
from bench.webhook.standin import StandIn, standin_in_thread, standin_process
from bot.simulator.server import free_port, running_server
from bot.simulator.user import WeChatUser

TOKEN = "bench-token"
THREADS = 8  # as `chengguan serve` defaults to
DRAIN_LIMIT_S = 120.0
ROUNDS = 3  # --readers: quiet and busy periods alternated this many times per rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--ramp", default="100,150,200,300,400,600,800", help="the echo's rates, msg/s")
    parser.add_argument("--rates", default="100,200", help="rates with --readers")
    parser.add_argument("--readers", type=int, default=0, help="Open311 clients polling the listing")
    parser.add_argument("--cases", type=int, default=1000, help="cases in the listing (with --readers)")
    parser.add_argument("--standin", choices=["process", "thread"], default="thread",
                        help="the stand-in WeChat API / photo host in its own process or in the generator's")
    args = parser.parse_args()
    if args.readers:
        readers_main([float(r) for r in args.rates.split(",")], args.seconds, args.readers, args.cases)
        return
    ratios_main([float(r) for r in args.ramp.split(",")], args.seconds, STANDINS[args.standin])


STANDINS = {"process": standin_process, "thread": standin_in_thread}


def ratios_main(ramp: list[float], seconds: float,
                standin: Callable[[str], AbstractContextManager[StandIn]] = standin_in_thread) -> None:
    load_at_start = ratios.load_average()
    with standin("coffee") as api, tempfile.TemporaryDirectory() as tmp:
        pic = api.pic
        echo_runs = _with_baseline(lambda base: _ramp(base, pic, ramp, seconds, "echo"))
        echo_saturation = ratios.saturation(echo_runs)
        if not echo_saturation:
            raise SystemExit(f"the echo sustained none of {ramp} msg/s: start the ramp lower (--ramp)")
        half = echo_saturation / 2  # then on up the echo's ramp to the service's own saturation, or down to it
        drained: dict[float, float | None] = {}
        drain_cpu: dict[float, tuple[dict[str, float], int]] = {}  # the CPU of the drain, the rate's photos
        photos_before = [0]

        def photos_done(run: RunResult) -> None:
            before = cpu.snapshot()
            drained[run.rate] = _photos_drained(Path(tmp) / "chengguan.db")
            photos = _photo_count(Path(tmp) / "chengguan.db")
            drain_cpu[run.rate] = cpu.used(before, cpu.snapshot()), photos - photos_before[0]
            photos_before[0] = photos

        with running_server(_env(api, tmp), Path(tmp) / "serve.log") as base:
            service_runs = _ramp(base, pic, [half, *(r for r in ramp if r > half)], seconds, "service",
                                 after=photos_done)
            if not ratios.sustains(service_runs[0]):
                service_runs += _ramp(base, pic, sorted((r for r in ramp if r < half), reverse=True), seconds,
                                      "service", until_sustained=True, after=photos_done)
    costs = per_message_ms()
    body = ratios.report(echo_runs, service_runs, costs, seconds, THREADS, (load_at_start, ratios.load_average()),
                         photos_drained=drained, standin="thread" if standin is standin_in_thread else "process",
                         drain_cpu=drain_cpu)
    print(body)
    write_section("webhook", body)


def _env(api: StandIn, data_dir: str, **extra: str) -> dict[str, str]:
    """`chengguan serve` on the embedded default, plain mode, with the stand-in WeChat API and photo host."""
    return {"CHENGGUAN_DATA_DIR": data_dir, "DATABASE_URL": "", "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": api.app_id,
            "WECHAT_APP_SECRET": api.app_secret, "WECHAT_API_BASE": api.base_url, "WECHAT_ENCODING_AES_KEY": "",
            "CHENGGUAN_PHOTO_HOSTS": api.base_url.removeprefix("http://"), **extra}


def _ramp(base: str, pic: tuple[str, str], rates: list[float], seconds: float, label: str, *,
          until_sustained: bool = False, after: Callable[[RunResult], None] | None = None) -> list[RunResult]:
    """Each rate in turn, until the first the server does not sustain (or, going down, the first it does)."""
    runs = []
    for rate in rates:
        runs += _sweep(base, pic, [rate], seconds, label)
        if after is not None:
            after(runs[-1])
        if ratios.sustains(runs[-1]) == until_sustained:
            break
    return runs


def _photos_drained(database: Path, limit_s: float = DRAIN_LIMIT_S) -> float | None:
    """Seconds from now until the worker has stored or refused every photo (None: not within `limit_s`).
    Waiting also keeps one rate's photo backlog out of the next rate's run."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            (pending,) = connection.execute("SELECT count(*) FROM photos WHERE status = 'pending'").fetchone()
        if not pending:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def _photo_count(database: Path) -> int:
    """Photos the webhooks accepted so far (a report keeps at most 3: the load's other image messages are declined)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (count,) = connection.execute("SELECT count(*) FROM photos").fetchone()
    return int(count)


def readers_main(rates: list[float], seconds: float, readers: int, cases: int, rounds: int = ROUNDS) -> None:
    """Per rate, `rounds` times: `seconds` without readers, then `seconds` with them; each condition's
    latencies pooled over its rounds, so load from elsewhere on the machine falls on both alike. Once
    under the default per-address read limit, once with it lifted (a fresh server for each)."""
    rows = []
    for label, limit in (("default read limit", ""), ("read limit lifted", "1000000/second")):
        with standin_in_thread("coffee") as api, tempfile.TemporaryDirectory() as tmp:
            pic = api.pic
            seed_cases(tmp, cases)
            env = _env(api, tmp, CHENGGUAN_OPEN311_READ_LIMIT=limit)
            with running_server(env, Path(tmp) / "serve.log") as base, Readers(base, readers) as polling:
                for rate in rates:
                    quiet, busy = [], []
                    for n in range(rounds):
                        quiet += _sweep(base, pic, [rate], seconds, f"quiet{n}")
                        polling.resume()
                        busy += _sweep(base, pic, [rate], seconds, f"readers{n}")
                        polling.pause()
                    rows.append((label, rate, _pooled(quiet), _pooled(busy)))
            rows = [(*row, polling.stats) if row[0] == label else row for row in rows]
            print(f"{label}: readers {polling.stats.answers} median {polling.stats.median_ms():.1f} ms", flush=True)
    _report_readers(rows, seconds, readers, cases, rounds)


def _pooled(runs: list[RunResult]) -> RunResult:
    return RunResult(runs[0].rate, sum(r.sent for r in runs), sum(r.ok for r in runs), sum(r.seconds for r in runs),
                     [ms for r in runs for ms in r.latencies_ms], [ms for r in runs for ms in r.lags_ms],
                     [ms for r in runs for ms in r.loop_lags_ms], cpu.summed(r.cpu_s for r in runs))


def _report_readers(rows, seconds: float, readers: int, cases: int, rounds: int) -> None:  # type: ignore[no-untyped-def]
    table = [f"| readers' limit | rate (msg/s) | p50 / p99 no readers | p50 / p99 with {readers} readers | p99 ratio |",
             "| --- | --- | --- | --- | --- |"]
    worst: dict[str, float] = {}
    readers_seen: dict[str, str] = {}
    for label, rate, quiet, busy, stats in rows:
        ratio = busy.percentile(99) / quiet.percentile(99)
        worst[label] = max(worst.get(label, 0.0), ratio)
        table.append(f"| {label} | {rate:.0f} | {quiet.p50:.1f} / {quiet.percentile(99):.1f} ms | {busy.p50:.1f} / "
                     f"{busy.percentile(99):.1f} ms | {ratio:.2f}× |")
        answers = ", ".join(f"{n} × {status}" for status, n in sorted(stats.answers.items()))
        readers_seen[label] = (f"{label}: {answers}, median {stats.median_ms():.0f} ms, "
                               f"{stats.bytes_read / 1e6:.0f} MB")
    body = (
        f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end (other work shares the 2 cores).\n\n"
        f"`python -m bench.webhook --readers {readers} --rates {','.join(sorted({f'{r:.0f}' for _, r, *_ in rows}))} "
        f"--seconds {seconds:.0f}`: one `chengguan serve` (SQLite) with {cases} open cases and the webhook load of "
        f"the section above. At each rate, {rounds} times: {seconds:.0f} s without readers, then {seconds:.0f} s "
        f"while {readers} clients poll `GET /open311/v2/requests.json` ({cases} cases) back to back; each column "
        f"pools its {rounds} periods, so load from elsewhere on the machine falls on both alike. The clients run "
        f"in a process of their own, each from its own loopback address, send no If-None-Match (each 200 carries "
        f"the whole listing, about 0.5 MB) and wait out a 429's Retry-After; their start and the server's one build "
        f"of the listing ({WARM_UP_S} s) are not measured. Once with the default per-address limit "
        f"(`CHENGGUAN_OPEN311_READ_LIMIT`, 120/minute in bursts of up to 20), once with it lifted to see the read "
        f"path alone; a fresh server and database for each. Reads use read-only connections without the write lock "
        f"(`bot.db.make_read_engine`), at most two run at once in the web process (more get 429, retry in 1 s), "
        f"and the listing is rebuilt only when the cases change (`bot.open311.caching`).\n\n"
        + "\n".join(table)
        + "\n\nWhat the readers got (all rates): " + "; ".join(readers_seen.values()) + ".\n\n"
        + "Target webhook p99 with readers < 2× the p99 without, same run: "
        + "; ".join(f"{label}: **{'met' if ratio < 2 else 'missed'}** (worst {ratio:.2f}×)"
                    for label, ratio in worst.items()) + ". "
        "The lifted limit is not a target: it shows what the read path costs when nothing refuses the traffic; many "
        "clients from many addresses at that rate need a limit in front of the service (reverse proxy)."
    )
    write_section("webhook with Open311 readers", body)


def _sweep(base: str, pic: tuple[str, str], rates: list[float], seconds: float, label: str) -> list[RunResult]:
    http = LightHTTP(connections=64)
    results = []
    for rate in rates:
        users = [WeChatUser(base, TOKEN, f"o_bench_{label}_{int(rate)}_{n}", http=http) for n in range(300)]
        before = cpu.snapshot(urlsplit(base).port)
        result = run(mixed_sender(users, pic), rate, seconds)
        result.cpu_s = cpu.used(before, cpu.snapshot(urlsplit(base).port))
        print(f"{label:8} {rate:5.0f}/s  p50 {result.p50:7.1f} ms  p99 {result.percentile(99):7.1f} ms  "
              f"ok {result.ok}/{result.sent}  sustained {result.achieved:6.1f}/s  "
              f"client lag p50 {result.lag(50):5.1f} p99 {result.lag(99):6.1f} ms (schedule {result.loop_lag(99):5.1f})",
              flush=True)
        print(f"{'':8} CPU ms per message: {cpu.per_message_line(result.cpu_s, result.sent)}", flush=True)
        results.append(result)
    return results


def _with_baseline(body):  # type: ignore[no-untyped-def]
    with echo_server() as base:
        return body(base)


@contextmanager
def echo_server(processes: int = 1) -> Iterator[str]:
    """The echo baseline on a free port, served as `chengguan serve` serves (bot.webserver); yields its base URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.webhook.baseline", TOKEN, str(port), str(THREADS),
                                str(processes)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
