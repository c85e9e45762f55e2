"""Where a slow webhook's time went: `python -m bench.webhook.timeline [--rate 750] [--seconds 5] [--rounds 3]`.

Runs `chengguan serve` (as `python -m bench.webhook` does) with the bench-only probe (bench/webhook/probe) in all its
processes, sends the mixed load, and joins per message (by its nonce) the generator's and the web process's stamps:

  due -> send (client lag) -> WSGI entry (before the app: granian, a free request thread, the interpreter lock)
  -> webhook slot -> write lock taken -> COMMIT done -> WSGI exit -> answer received (after the app)

For the slowest messages it says which segment was the longest, and what overlapped it: a collection (gc) in the
web or generator process, a write-lock hold by the worker. Prints the figures; writes nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from bench.webhook import cpu
from bench.webhook.__main__ import TOKEN, _env, _photos_drained
from bench.webhook.load import LightHTTP, LightResponse, mixed_sender, percentile, run
from bench.webhook.standin import standin_in_thread
from bot.simulator.server import running_server
from bot.simulator.user import WeChatUser

PROBE = Path(__file__).parent / "probe"


def probe_on_path() -> dict[str, str]:
    """A server environment's PYTHONPATH with the probe's folder first, so its sitecustomize loads."""
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(PROBE), os.environ.get("PYTHONPATH")]))}

SEGMENTS = ("client lag", "before the app", "webhook slot", "to the write lock", "write lock to COMMIT",
            "after COMMIT in the app", "after the app")


class Recorder:
    """The generator's side: per message its index, when the task started, and the POST's start and end."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.sends: dict[str, dict[str, float]] = {}
        self.gcs: list[tuple[int, float, float]] = []
        self._gc_start: dict[int, float] = {}

    def gc_callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start[info["generation"]] = time.monotonic()
        else:
            self.gcs.append((info["generation"], self._gc_start.get(info["generation"], 0.0), time.monotonic()))


class RecordingHTTP(LightHTTP):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(connections=64)
        self.recorder = recorder

    def post(self, url: str, *, params: dict[str, str], content: bytes, headers: dict[str, str]) -> LightResponse:
        t0 = time.monotonic()
        response = super().post(url, params=params, content=content, headers=headers)
        local = self.recorder.local
        self.recorder.sends[params["nonce"]] = {"i": local.i, "task": local.task, "post0": t0, "post1": time.monotonic()}
        return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=750)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slow-ms", type=float, default=50, help="a message this late or later counts as slow")
    parser.add_argument("--undo", default="", help="a cut to undo in the server (the probe's CHENGGUAN_BENCH_UNDO)")
    parser.add_argument("--keep", help="write the raw records to this JSON file")
    args = parser.parse_args()
    recorder = Recorder()
    gc.callbacks.append(recorder.gc_callback)
    with standin_in_thread("coffee") as api, tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe"
        probe.mkdir()
        env = _env(api, tmp, **probe_on_path(), CHENGGUAN_BENCH_PROBE=str(probe), CHENGGUAN_BENCH_UNDO=args.undo)
        periods = []
        with running_server(env, Path(tmp) / "serve.log") as base:
            for n in range(args.rounds):
                periods.append(_period(base, api.pic, args.rate, args.seconds, recorder, f"tl{n}"))
                _photos_drained(Path(tmp) / "chengguan.db")
            time.sleep(0.5)  # the probe flushes every 0.2 s
        records = _read(probe)
        if args.keep:
            Path(args.keep).write_text(json.dumps({"sends": recorder.sends, "gcs": recorder.gcs, "probe": records}))
        report(recorder, periods, records, args.slow_ms)
    print(f"load average {os.getloadavg()}")


def _period(base: str, pic: tuple[str, str], rate: float, seconds: float, recorder: Recorder,
            label: str) -> tuple[float, float, dict[str, float]]:
    http = RecordingHTTP(recorder)
    users = [WeChatUser(base, TOKEN, f"o_tl_{label}_{n}", http=http) for n in range(300)]
    inner = mixed_sender(users, pic)

    def send(i: int) -> int:
        recorder.local.i, recorder.local.task = i, time.monotonic()
        return inner(i)

    before_sends = set(recorder.sends)
    before = cpu.snapshot(urlsplit(base).port)
    result = run(send, rate, seconds)
    used = cpu.used(before, cpu.snapshot(urlsplit(base).port))
    new = [recorder.sends[k] for k in recorder.sends.keys() - before_sends]
    start = min(s["task"] - s["i"] / rate for s in new)  # the schedule's start (the first task is ~0.1 ms late)
    for s in new:
        s["due"] = start + s["i"] / rate
    print(f"{label}: {rate:.0f}/s p50 {result.p50:.1f} p99 {result.percentile(99):.1f} ms, ok {result.ok}/{result.sent}; "
          f"CPU ms/msg {cpu.per_message_line(used, result.sent)}", flush=True)
    return rate, start, used


def _read(folder: Path) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for path in folder.glob("*.jsonl"):
        out[int(path.stem)] = [json.loads(line) for line in path.read_text().splitlines() if line]
    return out


def _role(records: list[dict]) -> str:
    cmd = next((r["cmd"] for r in records if r["kind"] == "proc"), "")
    for word, role in ((" -m bot web", "web"), (" -m bot worker", "worker"), (" -m bot serve", "supervisor"),
                       ("multiprocessing", "analysis")):
        if word in cmd:
            return role
    return f"other ({cmd[:60]})"


def _segments(send: dict[str, float], req: dict[str, float]) -> dict[str, float]:
    marks = [send["due"], send["task"], send["post0"], req["enter"], req.get("slot", req["enter"]),
             req.get("lock", req.get("slot", req["enter"])), req.get("commit", req["exit"]), req["exit"], send["post1"]]
    spans = [(b - a) * 1000 for a, b in zip(marks, marks[1:])]
    # client lag = task - due; the POST's own start is a few us later, folded into "before the app"
    return {"client lag": spans[0], "before the app": spans[1] + spans[2], "webhook slot": spans[3],
            "to the write lock": spans[4], "write lock to COMMIT": spans[5], "after COMMIT in the app": spans[6],
            "after the app": spans[7]}


def _overlap(t0: float, t1: float, spans: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(t1, b) - max(t0, a)) for a, b in spans) * 1000


def report(recorder: Recorder, periods: list[tuple[float, float, dict[str, float]]], probe: dict[int, list[dict]],
           slow_ms: float) -> None:
    by_role: dict[str, list[dict]] = {}
    for records in probe.values():
        by_role.setdefault(_role(records), []).extend(records)
    web = by_role.get("web", [])
    reqs = {r["nonce"]: r for r in web if r["kind"] == "req"}
    joined = [(s, reqs[n]) for n, s in recorder.sends.items() if n in reqs and "due" in s]
    print(f"\n{len(joined)} of {len(recorder.sends)} messages joined to the web process's records")
    totals = [(s["post1"] - s["due"]) * 1000 for s, _ in joined]
    print(f"latency from due: p50 {percentile(totals, 50):.1f} p90 {percentile(totals, 90):.1f} "
          f"p99 {percentile(totals, 99):.1f} "
          f"max {max(totals):.1f} ms")
    segs = [_segments(s, r) for s, r in joined]
    print("\nsegment: p50 / p99 / max ms, all messages")
    for name in SEGMENTS:
        values = [g[name] for g in segs]
        print(f"  {name:26} {percentile(values, 50):7.2f} {percentile(values, 99):8.2f} {max(values):8.2f}")
    in_app_cpu = [r["cpu"] * 1000 for _, r in joined]
    in_app_wall = [(r["exit"] - r["enter"]) * 1000 for _, r in joined]
    slot_to_exit = [(r["exit"] - r.get("slot", r["enter"])) * 1000 for _, r in joined]
    print(f"  in-app thread CPU p50 {percentile(in_app_cpu, 50):.2f} p99 {percentile(in_app_cpu, 99):.2f} ms; "
          f"slot->exit wall p50 {percentile(slot_to_exit, 50):.2f} p99 {percentile(slot_to_exit, 99):.2f} ms")

    held = [((r["exit"] - r["slot"]) * 1000, (r["exit_cpu"] - r["slot_cpu"]) * 1000) for _, r in joined if "slot" in r]
    before_slot = [((r["slot"] - r["enter"]) * 1000, (r["slot_cpu"] - r["enter_cpu"]) * 1000) for _, r in joined
                   if "slot" in r]
    print(f"  webhook slot held (to WSGI exit): mean wall {statistics.fmean(w for w, _ in held):.2f} ms, mean thread CPU "
          f"{statistics.fmean(c for _, c in held):.2f} ms (one slot: at most {1000 / statistics.fmean(w for w, _ in held):.0f} "
          f"msg/s); before the slot mean thread CPU {statistics.fmean(c for _, c in before_slot):.2f} ms")
    worker_holds = [(h["t0"], h["t1"]) for h in by_role.get("worker", []) if h["kind"] == "hold"]
    web_holds = [(h["t1"] - h["t0"]) * 1000 for h in web if h["kind"] == "hold"]
    hold_ms = [(b - a) * 1000 for a, b in worker_holds]
    print(f"\nwrite-lock holds: worker {len(hold_ms)}, p50 {percentile(hold_ms, 50):.2f} "
          f"p99 {percentile(hold_ms, 99):.2f} "
          f"max {max(hold_ms, default=float('nan')):.2f} ms, total {sum(hold_ms):.0f} ms; web {len(web_holds)}, "
          f"p50 {percentile(web_holds, 50):.2f} p99 {percentile(web_holds, 99):.2f} "
          f"max {max(web_holds, default=float('nan')):.2f} ms")
    for role, records in sorted(by_role.items()):
        gcs = [r for r in records if r["kind"] == "gc" and r["t0"] is not None]
        if gcs:
            per_gen = Counter(r["gen"] for r in gcs)
            worst = {g: max((r["t1"] - r["t0"]) * 1000 for r in gcs if r["gen"] == g) for g in per_gen}
            total = {g: sum((r["t1"] - r["t0"]) * 1000 for r in gcs if r["gen"] == g) for g in per_gen}
            print(f"gc {role}: " + ", ".join(f"gen{g} {per_gen[g]}x max {worst[g]:.1f} sum {total[g]:.0f} ms"
                                            for g in sorted(per_gen)))
    gen_gcs = recorder.gcs
    per_gen = Counter(g for g, *_ in gen_gcs)
    print("gc generator: " + ", ".join(
        f"gen{g} {per_gen[g]}x max {max((b - a) * 1000 for gg, a, b in gen_gcs if gg == g):.1f} ms" for g in sorted(per_gen)))

    web_gc = [(r["t0"], r["t1"]) for r in web if r["kind"] == "gc" and r["t0"] is not None]
    web_gc2 = [(r["t0"], r["t1"]) for r in web if r["kind"] == "gc" and r["t0"] is not None and r["gen"] == 2]
    gen_gc = [(a, b) for _, a, b in gen_gcs]
    slow = [(t, s, r, g) for t, (s, r), g in zip(totals, joined, segs) if t >= slow_ms]
    print(f"\n{len(slow)} messages at or over {slow_ms:.0f} ms ({100 * len(slow) / max(1, len(joined)):.1f} %)")
    if not slow:
        return
    longest = Counter(max(g, key=g.get) for _, _, _, g in slow)
    print("  longest segment: " + ", ".join(f"{name} {n}" for name, n in longest.most_common()))
    for name in SEGMENTS:
        values = [g[name] for _, _, _, g in slow]
        print(f"  {name:26} mean {statistics.fmean(values):7.2f} p50 {percentile(values, 50):7.2f} ms")
    share = {name: sum(g[name] for *_, g in slow) / sum(t for t, *_ in slow) for name in SEGMENTS}
    print("  share of the slow messages' time: " + ", ".join(f"{k} {100 * v:.0f} %" for k, v in share.items()))
    with_gc_web = sum(1 for _, s, r, _ in slow if _overlap(s["due"], s["post1"], web_gc) > 0)
    with_gc2_web = sum(1 for _, s, r, _ in slow if _overlap(s["due"], s["post1"], web_gc2) > 0)
    with_gc_gen = sum(1 for _, s, r, _ in slow if _overlap(s["due"], s["post1"], gen_gc) > 0)
    with_hold = sum(1 for _, s, r, _ in slow if _overlap(s["due"], s["post1"], worker_holds) > 0)
    gc_ms = [_overlap(s["due"], s["post1"], web_gc) for _, s, _, _ in slow]
    hold_in = [_overlap(s["due"], s["post1"], worker_holds) for _, s, _, _ in slow]
    print(f"  overlapping a web gc: {with_gc_web} (a gen-2 one: {with_gc2_web}; mean {statistics.fmean(gc_ms):.1f} ms "
          f"of gc inside), a generator gc: {with_gc_gen}, a worker lock hold: {with_hold} (mean "
          f"{statistics.fmean(hold_in):.1f} ms of hold inside)")
    cpu_slow = [r["cpu"] * 1000 for _, _, r, _ in slow]
    print(f"  their in-app thread CPU p50 {percentile(cpu_slow, 50):.2f} ms (all: {percentile(in_app_cpu, 50):.2f}); "
          f"in-app wall p50 {percentile([(r['exit'] - r['enter']) * 1000 for _, _, r, _ in slow], 50):.2f} ms "
          f"(all: {percentile(in_app_wall, 50):.2f})")
    # Burst structure: how many slow messages fall in each 100 ms window of the schedule
    windows = Counter(int((s["due"] - periods[0][1]) * 10) for _, s, _, _ in slow)
    print(f"  slow messages fall in {len(windows)} windows of 100 ms; largest: {windows.most_common(8)}")


if __name__ == "__main__":
    main()
