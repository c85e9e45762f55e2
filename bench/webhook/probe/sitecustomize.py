"""Bench-only instruments for `python -m bench.webhook.timeline`: put this folder on PYTHONPATH of a `chengguan serve`
and set CHENGGUAN_BENCH_PROBE to a folder; every process of it (supervisor, web, worker, analysis child) then writes
what it saw to `<folder>/<pid>.jsonl`, with time.monotonic() stamps (one clock for all processes on Linux):

- gc: each collection's start, end and generation (gc.callbacks);
- req: per callback in the web process, WSGI entry (and its thread's CPU clock), webhook slot taken (and the CPU clock), write lock taken, BEGIN done, COMMIT done,
  WSGI exit, the thread's CPU time in the request, the nonce (the generator records it too);
- hold: every hold of the write lock file (any process): from taken to given back, and how long it was waited for.

Nothing of this is loaded by the service itself; the records are flushed by a thread every 0.2 s.

CHENGGUAN_BENCH_UNDO names a cut to undo in these processes, for a same-run A/B (bench.webhook.ab):
- webhook-queue: the slot taken in the view again, not before Flask (bot.webqueue passes every request on).

CHENGGUAN_BENCH_SWITCH_MS sets the interpreter's switch interval (sys.setswitchinterval) in these processes.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
import threading
import time

FOLDER = os.environ.get("CHENGGUAN_BENCH_PROBE")
UNDO = os.environ.get("CHENGGUAN_BENCH_UNDO", "")
SWITCH_MS = os.environ.get("CHENGGUAN_BENCH_SWITCH_MS")


def _undo(cut: str) -> None:
    if cut == "webhook-queue":
        from bot.webqueue import WebhookQueue

        WebhookQueue.__call__ = lambda self, environ, start_response: self.app(environ, start_response)  # type: ignore[method-assign]
    elif cut:
        raise SystemExit(f"CHENGGUAN_BENCH_UNDO={cut}: no such cut")


def _install(folder: str) -> None:
    now, cpu = time.monotonic, time.thread_time
    records: list[dict] = []
    local = threading.local()

    def flush() -> None:
        if not records:
            return
        batch = records[:]
        del records[:len(batch)]
        with open(os.path.join(folder, f"{os.getpid()}.jsonl"), "a") as out:
            out.write("".join(json.dumps(r) + "\n" for r in batch))

    def flusher() -> None:
        with open("/proc/self/cmdline", "rb") as f:
            records.append({"kind": "proc", "cmd": f.read().replace(b"\0", b" ").decode(errors="replace")})
        while True:
            time.sleep(0.2)
            flush()

    def start_flusher() -> None:
        threading.Thread(target=flusher, name="bench-probe", daemon=True).start()

    start_flusher()
    atexit.register(flush)
    os.register_at_fork(after_in_child=start_flusher)  # granian forks its worker: threads do not survive a fork

    started: dict[int, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[info["generation"]] = now()
        else:
            records.append({"kind": "gc", "gen": info["generation"], "t0": started.get(info["generation"]),
                            "t1": now(), "collected": info["collected"]})

    gc.callbacks.append(on_gc)

    from flask import Flask

    import bot.db
    from bot.service import Service
    from bot.writelock import QueuedConnection, WriteLock

    flask_call = Flask.__call__

    def call(self, environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") != "/wechat/mp" or environ.get("REQUEST_METHOD") != "POST":
            return flask_call(self, environ, start_response)
        query = environ.get("QUERY_STRING", "")
        nonce = next((p[6:] for p in query.split("&") if p.startswith("nonce=")), "")
        rec = local.rec = {"kind": "req", "nonce": nonce, "enter": now()}
        c0 = rec["enter_cpu"] = cpu()
        try:
            return flask_call(self, environ, start_response)
        finally:
            rec["exit"], rec["exit_cpu"] = now(), cpu()
            rec["cpu"] = rec["exit_cpu"] - c0
            records.append(rec)
            local.rec = None

    Flask.__call__ = call  # type: ignore[method-assign]

    class TimedSlots:
        def __init__(self, inner: threading.BoundedSemaphore) -> None:
            self.inner = inner

        def __enter__(self) -> None:
            self.inner.acquire()
            rec = getattr(local, "rec", None)
            if rec is not None:
                rec["slot"], rec["slot_cpu"] = now(), cpu()

        def __exit__(self, *exc: object) -> None:
            self.inner.release()

    build = Service.build.__func__  # type: ignore[attr-defined]

    def timed_build(cls, config):  # type: ignore[no-untyped-def]
        service = build(cls, config)
        service.webhook_slots = TimedSlots(service.webhook_slots)
        return service

    Service.build = classmethod(timed_build)  # type: ignore[method-assign,assignment]

    acquire, release = WriteLock.acquire, WriteLock.release

    def timed_acquire(self: WriteLock) -> None:
        t0 = now()
        acquire(self)
        if self.held:
            local.hold = (t0, now())
            rec = getattr(local, "rec", None)
            if rec is not None and "lock" not in rec:
                rec["lock_wait0"], rec["lock"] = t0, local.hold[1]

    def timed_release(self: WriteLock) -> None:
        held = self.held
        release(self)
        hold = getattr(local, "hold", None)
        if held and hold is not None:
            records.append({"kind": "hold", "wait0": hold[0], "t0": hold[1], "t1": now(),
                            "req": getattr(local, "rec", None) is not None, "thread": threading.current_thread().name})
            local.hold = None

    WriteLock.acquire, WriteLock.release = timed_acquire, timed_release  # type: ignore[method-assign]

    begin = bot.db._sqlite_begin_immediate

    def timed_begin(connection):  # type: ignore[no-untyped-def]
        begin(connection)
        rec = getattr(local, "rec", None)
        if rec is not None and "begin" not in rec:
            rec["begin"] = now()

    bot.db._sqlite_begin_immediate = timed_begin

    commit = QueuedConnection.commit

    def timed_commit(self: QueuedConnection) -> None:
        rec = getattr(local, "rec", None)
        t0 = now()
        commit(self)
        if rec is not None:
            rec["commit0"], rec["commit"] = t0, now()

    QueuedConnection.commit = timed_commit  # type: ignore[method-assign]


if FOLDER:
    _install(FOLDER)
_undo(UNDO)
if SWITCH_MS:
    sys.setswitchinterval(float(SWITCH_MS) / 1000)
