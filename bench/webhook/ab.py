"""A/B of one change to the webhook's setting, in the same run: `python -m bench.webhook.ab standin|priority|queue|switch|threads|processes
[--rate 500] [--seconds 5] [--rounds 3]`.

Each condition gets its own stand-in WeChat API / photo host and its own `chengguan serve` (SQLite, as in
`python -m bench.webhook`); the rate runs on them in turn, A then B, `rounds` times (A B, B A, …), each period after the
photos of the last one are stored, so load from elsewhere on the shared machine falls on both alike.
- standin: the stand-in in the generator's process (A, as before) against in a process of its own (B).
- priority: the analysis child at nice 10 (A) against SCHED_IDLE (B); both stand-ins in the generator's process (the bench's default).
- queue: the webhook slot taken in the view, as before (A), against at the WSGI app's door (bot.webqueue, B).
- switch: the server processes' interpreter switch interval at its default 5 ms (A) against 0.5 ms (B).
- threads: `chengguan serve --threads 8` (A, the default) against 2 (B): on SQLite one webhook runs at a time.
- processes: the web in 1 server process (A, the default) against 2 (`serve --processes 2`, B), and the echo
  baseline served both ways too (the same server settings), so the echo's figures show what a second process
  costs or gives a bare endpoint on this machine.
Prints, and writes the section "webhook A/B: <experiment>" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.results import machine, write_section
from bench.webhook.__main__ import _env, _photos_drained, _pooled, _sweep, echo_server
from bench.webhook import cpu
from bench.webhook.load import RunResult
from bench.webhook.standin import standin_in_thread, standin_process
from bench.webhook.timeline import probe_on_path
from bot.analysis import PRIORITY_ENV
from bot.simulator.server import running_server

PROBE = probe_on_path()  # its sitecustomize undoes a cut (CHENGGUAN_BENCH_UNDO) or sets the switch interval
ECHO = "echo"  # as the server's environment: the echo baseline instead of `chengguan serve`, its processes as argument
EXPERIMENTS = {  # name -> ((label, stand-in, extra server environment, extra `serve` arguments) for A and for B)
    "standin": (("stand-in in the generator's process", standin_in_thread, {}, ()),
                ("stand-in in its own process", standin_process, {}, ())),
    "priority": (("analysis child at nice 10", standin_in_thread, {PRIORITY_ENV: "nice"}, ()),
                 ("analysis child under SCHED_IDLE", standin_in_thread, {PRIORITY_ENV: "idle"}, ())),
    "queue": (("slot taken in the view", standin_in_thread, {**PROBE, "CHENGGUAN_BENCH_UNDO": "webhook-queue"}, ()),
              ("slot taken before Flask (bot.webqueue)", standin_in_thread, {}, ())),
    "switch": (("switch interval 5 ms (the interpreter's default)", standin_in_thread, {}, ()),
               ("switch interval 0.5 ms", standin_in_thread, {**PROBE, "CHENGGUAN_BENCH_SWITCH_MS": "0.5"}, ())),
    "threads": (("8 request threads", standin_in_thread, {}, ("--threads", "8")),
                ("2 request threads", standin_in_thread, {}, ("--threads", "2"))),
    "processes": (("echo, 1 web process", standin_in_thread, ECHO, ("1",)),
                  ("echo, 2 web processes", standin_in_thread, ECHO, ("2",)),
                  ("service, 1 web process", standin_in_thread, {}, ("--processes", "1")),
                  ("service, 2 web processes", standin_in_thread, {}, ("--processes", "2"))),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("experiment", choices=sorted(EXPERIMENTS))
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--echo-rate", type=float, help="the echo conditions' rate (default --rate): near its saturation")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    conditions = EXPERIMENTS[args.experiment]
    periods: dict[str, list[RunResult]] = {label: [] for label, *_ in conditions}
    with ExitStack() as stack:
        servers = []
        for label, standin, extra, arguments in conditions:
            api = stack.enter_context(standin("coffee"))
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            if extra == ECHO:
                base = stack.enter_context(echo_server(int(arguments[0])))
                servers.append((label, api, base, None, args.echo_rate or args.rate))
                continue
            base = stack.enter_context(running_server(_env(api, tmp, **extra), Path(tmp) / "serve.log",
                                                      extra_args=arguments))
            servers.append((label, api, base, Path(tmp) / "chengguan.db", args.rate))
        for n in range(args.rounds):
            for label, api, base, database, rate in servers if n % 2 == 0 else reversed(servers):  # A B, B A, …
                periods[label] += _sweep(base, api.pic, [rate], args.seconds, f"{args.experiment[:3]}{n}")
                if database is not None:
                    _photos_drained(database)
    body = _report(args, periods, (load_at_start, os.getloadavg()[0]))
    print(body)
    write_section(f"webhook A/B: {args.experiment}", body)


def _report(args: argparse.Namespace, periods: dict[str, list[RunResult]], load: tuple[float, float]) -> str:
    rows = ["| condition | periods' p99 | pooled p50 / p99 | client lag p50 / p99 (schedule p99) | answered "
            "| CPU ms per message |", "| --- | --- | --- | --- | --- | --- |"]
    for label, runs in periods.items():
        pooled = _pooled(runs)
        rows.append(f"| {label} | {', '.join(f'{r.percentile(99):.0f}' for r in runs)} ms | {pooled.p50:.1f} / "
                    f"{pooled.percentile(99):.1f} ms | {pooled.lag(50):.1f} / {pooled.lag(99):.1f} ms "
                    f"({pooled.loop_lag(99):.1f}) | {pooled.ok}/{pooled.sent} | "
                    f"{cpu.per_message_line(pooled.cpu_s, pooled.sent)} |")
    return (f"Machine: {machine()}; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end.\n\n"
            f"`python -m bench.webhook.ab {args.experiment} --rate {args.rate:g} --seconds {args.seconds:g} "
            f"--rounds {args.rounds}{f' --echo-rate {args.echo_rate:g}' if args.echo_rate else ''}`: the service's "
            f"mixed load (as in \"webhook\") at {args.rate:g} msg/s{f' (the echo at {args.echo_rate:g})' if args.echo_rate else ''}, "
            f"{args.seconds:g} s per period, the conditions' periods alternated {args.rounds} times (A B, B A, …), each on its own "
            f"server and stand-in; each period after the last one's photos were stored. CPU ms per message: utime+stime of "
            f"each process role from /proc over the periods (bench.webhook.cpu; not the photos' drain after them), per "
            f"message sent.\n\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
