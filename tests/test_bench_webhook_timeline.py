"""bench.webhook.timeline's probe hooks into the service as it is: one callback through the served app, in a
process with the probe on its PYTHONPATH, leaves a record whose stamps come in the order the request went."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.webhook import timeline

ONE_CALLBACK = ("from bench.webhook.inprocess import KINDS, TimedApp, service_app\n"
                "with service_app() as app:\n"
                "    KINDS['text'](TimedApp(app).residents(1)[0])\n")
REPO = Path(__file__).resolve().parent.parent


def test_the_probe_stamps_a_callback_in_order(tmp_path: Path) -> None:
    env = {**os.environ, "CHENGGUAN_BENCH_PROBE": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(timeline.PROBE), str(REPO)])}
    subprocess.run([sys.executable, "-c", ONE_CALLBACK], env=env, check=True, timeout=120, capture_output=True)
    records = [json.loads(line) for path in tmp_path.glob("*.jsonl") for line in path.read_text().splitlines()]
    (request,) = [r for r in records if r["kind"] == "req"]
    stamps = [request[name] for name in ("enter", "slot", "lock", "begin", "commit", "exit")]
    assert stamps == sorted(stamps) and request["nonce"] and request["cpu"] > 0
    assert any(r["kind"] == "hold" and r["req"] for r in records)  # the callback's own hold of the write lock


def test_segments_add_up_to_the_latency() -> None:
    send = {"due": 10.0, "task": 10.001, "post0": 10.0012, "post1": 10.020}
    request = {"enter": 10.003, "slot": 10.004, "lock": 10.0045, "commit": 10.010, "exit": 10.011}
    segments = timeline._segments(send, request)
    assert round(sum(segments.values()), 6) == 20.0
    assert {name: round(ms, 6) for name, ms in segments.items()} == {
        "client lag": 1.0, "before the app": 2.0, "webhook slot": 1.0, "to the write lock": 0.5,
        "write lock to COMMIT": 5.5, "after COMMIT in the app": 1.0, "after the app": 9.0}
