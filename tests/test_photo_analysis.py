"""The worker's photo analysis in its low-priority child (bot.analysis): the worker itself keeps normal
priority (it takes SQLite's write lock), the CPU-heavy analysis runs under SCHED_IDLE (at ANALYSIS_NICENESS
where that policy is not to be had or `CHENGGUAN_ANALYSIS_PRIORITY=nice`), and a crash of
the child fails the job's attempt (retried later, photo still pending) instead of losing or refusing it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import analysis
from models import CaseStatus, JobStatus, OutboxJob, Photo, PhotoFeatures, PhotoStatus, utcnow
from tests.staff.scenario import PROBLEM, SAME_ANGLE, case, case_in_rectification, send_photo


def _crash(*_args: object) -> None:
    os._exit(3)  # as the child dies from a native library's fault or the kernel's out-of-memory killer


def _pid_once_both_arrived(folder: str, n: int) -> int | None:
    """Two calls meet here; a single child would take them one after the other and this one gives up."""
    import time

    Path(folder, str(n)).touch()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Path(folder, str(1 - n)).exists():
            return os.getpid()
        time.sleep(0.01)
    return None


@pytest.fixture
def analysis_child() -> Iterator[None]:
    analysis.start()
    yield
    analysis.stop()


def test_the_analysis_runs_in_a_child_under_sched_idle_and_the_caller_keeps_its_own(analysis_child) -> None:  # type: ignore[no-untyped-def]
    mine = os.sched_getscheduler(0)
    assert analysis.run(os.getpid) != os.getpid()
    assert analysis.run(os.sched_getscheduler, 0) == os.SCHED_IDLE
    assert os.sched_getscheduler(0) == mine != os.SCHED_IDLE


@pytest.mark.parametrize("how", ["setting", "platform"])
def test_at_nice_when_chosen_or_where_sched_idle_is_not_to_be_had(how: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    mine = os.nice(0)
    if how == "setting":
        monkeypatch.setenv(analysis.PRIORITY_ENV, "nice")
        analysis.start()
        try:
            assert analysis.run(os.sched_getscheduler, 0) != os.SCHED_IDLE
            assert analysis.run(os.nice, 0) == min(19, mine + analysis.ANALYSIS_NICENESS)
        finally:
            analysis.stop()
    else:  # a platform without the policy: the child's own set-up, in a process of its own
        script = ("import os\nfrom bot import analysis\ndel os.SCHED_IDLE\n"
                  "analysis._prepare_child(analysis.ANALYSIS_NICENESS, os.getppid(), True)\n"
                  "print(os.nice(0), os.sched_getscheduler(0) == os.SCHED_OTHER)")
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
        assert out.stdout.split() == [str(min(19, mine + analysis.ANALYSIS_NICENESS)), "True"]
    assert os.nice(0) == mine


def test_a_crashed_child_fails_that_call_and_the_next_call_gets_a_new_child(analysis_child) -> None:  # type: ignore[no-untyped-def]
    first = analysis.run(os.getpid)
    with pytest.raises(analysis.AnalysisCrashed):
        analysis.run(_crash)
    assert analysis.run(os.getpid) not in (first, os.getpid())


def test_with_several_processes_calls_run_side_by_side(tmp_path: Path) -> None:
    analysis.start(processes=2)
    try:
        with ThreadPoolExecutor(2) as threads:  # as two worker threads
            pids = list(threads.map(lambda n: analysis.run(_pid_once_both_arrived, str(tmp_path), n), range(2)))
        assert None not in pids and len(set(pids)) == 2
    finally:
        analysis.stop()


ORPHAN = """
import os, sys
from bot import analysis
analysis.start()
print(analysis.run(os.getpid), flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_the_child_of_a_killed_worker_does_not_outlive_it() -> None:
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        child = int(parent.stdout.readline())  # type: ignore[union-attr]
    finally:
        parent.kill()
        parent.wait()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited (its new parent, init, reaps it)


def test_not_started_it_runs_in_the_calling_process() -> None:
    assert analysis.run(os.getpid) == os.getpid()


def test_a_photo_analysed_in_the_child_is_stored_and_a_crash_only_costs_an_attempt(  # type: ignore[no-untyped-def]
        analysis_child, mp_service, wechat_api, new_user, run_worker, monkeypatch) -> None:
    resident = new_user()
    assert "已收到第1张照片" in send_photo(resident, wechat_api, PROBLEM).text
    monkeypatch.setattr(analysis, "describe_photo", _crash)
    run_worker()
    with mp_service.sessions() as s:
        (job,) = s.scalars(select(OutboxJob).where(OutboxJob.kind == "photo.fetch")).all()
        assert job.status == JobStatus.PENDING and job.attempts == 1 and "AnalysisCrashed" in (job.last_error or "")
        assert s.scalars(select(Photo.status)).all() == [PhotoStatus.PENDING]  # not refused, not lost
        job.next_try_at = utcnow()  # due again now rather than after the back-off
        s.commit()
    assert not wechat_api.messages_to(resident.openid)

    monkeypatch.undo()
    run_worker()
    with mp_service.sessions() as s:
        (stored,) = s.scalars(select(Photo)).all()
        assert stored.status == PhotoStatus.STORED and stored.fingerprint and s.get(PhotoFeatures, stored.id)
        assert s.scalar(select(OutboxJob.status).where(OutboxJob.kind == "photo.fetch")) == JobStatus.DONE


def test_a_photo_the_child_refuses_is_refused_with_its_reason(  # type: ignore[no-untyped-def]
        analysis_child, mp_service, wechat_api, new_user, run_worker) -> None:
    resident = new_user()
    resident.send_image(*wechat_api.add_media(b"GIF89a not really a photo"))
    run_worker()
    with mp_service.sessions() as s:
        assert s.scalars(select(Photo.status)).all() == [PhotoStatus.REJECTED]
    assert any("您发送的照片无法使用" in m for m in wechat_api.messages_to(resident.openid))


def test_a_rectification_checked_in_the_child_passes_and_submits_the_case(  # type: ignore[no-untyped-def]
        analysis_child, mp_service, wechat_api, new_user, new_staff, run_worker) -> None:
    number, _, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert "核验通过" in wechat_api.wait_for_message(officer.openid)[-1]
    assert case(mp_service, number).status == CaseStatus.SUBMITTED


def test_the_priority_setting_takes_idle_or_nice_and_refuses_anything_else() -> None:
    assert analysis.idle_chosen({}) is True
    assert analysis.idle_chosen({analysis.PRIORITY_ENV: " Nice "}) is False
    with pytest.raises(analysis.UnknownPriority, match="idle 或 nice"):
        analysis.idle_chosen({analysis.PRIORITY_ENV: "realtime"})


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker"]])
def test_serve_and_worker_refuse_an_unknown_priority_in_one_line(command, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CHENGGUAN_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": "",
           analysis.PRIORITY_ENV: "realtime"}
    done = subprocess.run([sys.executable, "-m", "bot", *command], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"配置错误: {analysis.PRIORITY_ENV}=realtime: 可选 idle 或 nice"]
    assert not (tmp_path / "var").exists()  # refused before anything was made
