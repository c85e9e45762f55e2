"""bench.webhook.cpu: which process of `chengguan serve`'s tree its CPU is counted to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.webhook import cpu

# A stand-in for `python -m bot worker` (its arguments name it so) with one child, as the analysis child is;
# both spend CPU until each has used some, then wait to be stopped.
BURN = ("import subprocess, sys, time\n"
        "if sys.argv[-1] == 'worker':\n"
        "    subprocess.Popen([sys.executable, sys.argv[0], sys.argv[-2], 'child'])\n"
        "while time.process_time() < 0.2: pass\n"
        "open(sys.argv[-2] + '.' + sys.argv[-1], 'w').close()\n"
        "time.sleep(60)\n")


def test_roles_follow_the_command_lines_down_the_tree() -> None:
    assert cpu._role(["python", "-P", "-m", "bot", "serve", "--port", "1"], "") == "supervisor"
    assert cpu._role(["python", "-P", "-m", "bot", "web", "--port", "1"], "supervisor") == "web"
    assert cpu._role(["python", "-P", "-m", "bot", "web"], "web") == "web"  # granian's own server process
    assert cpu._role(["python", "-P", "-m", "bot", "worker"], "supervisor") == "worker"
    assert cpu._role(["python", "-c", "from multiprocessing.spawn import spawn_main"], "worker") == "analysis"
    assert cpu._role(["python", "-m", "bench.webhook.baseline", "t", "1", "8"], "") == "echo"
    assert cpu._role(["python", "elsewhere.py"], "") == ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_worker_and_its_child_are_counted_apart(tmp_path: Path) -> None:
    marker, script = str(tmp_path / "burnt"), tmp_path / "burn.py"
    script.write_text(BURN)
    before = cpu.snapshot()
    worker = subprocess.Popen([sys.executable, str(script), "bot", marker, "worker"])
    try:
        while not (Path(marker + ".worker").exists() and Path(marker + ".child").exists()):
            assert worker.poll() is None
            subprocess.run(["sleep", "0.05"])
        used = cpu.used(before, cpu.snapshot())
    finally:
        for child in cpu._children().get(worker.pid, []):
            subprocess.run(["kill", str(child)])
        worker.kill()
        worker.wait()
    assert used["worker"] >= 0.15 and used["analysis"] >= 0.15
    assert "web" not in used


def test_the_budget_is_per_second_per_message_and_per_accepted_photo() -> None:
    during = {"web": 3.0, "worker": 0.2, "analysis": 1.0, "supervisor": 0.0, "generator": 1.5}
    table = cpu.budget_table([("service", 400, 2000, 5.0, during, ({"worker": 1.0, "analysis": 8.0}, 180))])
    row = table.splitlines()[-1]
    assert row.startswith("| service | 400 | 0.60 / 1.50 | 0.04 / 0.10 | 0.20 / 0.50 | – | 0.30 / 0.75 |")
    assert "56.7 ms (6.7 in the worker; 180 photos)" in row  # (0.2 + 1.0 + 1.0 + 8.0) s over 180 photos
