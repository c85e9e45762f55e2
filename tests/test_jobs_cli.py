"""`chengguan jobs parked` shows what waits for a person and why; `jobs retry` runs it again once decided."""

from __future__ import annotations

from click.testing import CliRunner

from bot.db import transaction
from bot.jobs_cli import jobs_cli
from bot.worker import DEFAULT_MAX_ATTEMPTS, Worker
from models import JobStatus, OutboxJob, utcnow
from models.outbox import enqueue, mark_parked


def test_parked_jobs_are_listed_with_their_reason_and_retried_on_request(database_url, tmp_path, service) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path)})
    assert "没有被搁置的任务" in runner.invoke(jobs_cli, ["parked"]).output
    with transaction(service.sessions) as s:
        job = enqueue(s, "notify.text", {"channel": "mp", "to": "resident-1", "text": "已受理"})
        s.flush()
        mark_parked(job, "发送中断, 可能已送达")  # type: ignore[arg-type]
        job.sending_at = utcnow()  # type: ignore[union-attr]  # as a row from before the outcome cleared it
        job_id = job.id  # type: ignore[union-attr]

    listed = runner.invoke(jobs_cli, ["parked"]).output
    assert f"任务 {job_id} notify.text 发给 resident-1" in listed and "原因: 发送中断, 可能已送达" in listed

    unknown = runner.invoke(jobs_cli, ["retry", str(job_id + 1000)])
    assert unknown.exit_code != 0 and str(job_id + 1000) in unknown.output and "jobs parked" in unknown.output
    assert runner.invoke(jobs_cli, ["retry", str(job_id)]).output.strip() == "已重新排队 1 项"
    with service.sessions() as s:
        again = s.get_one(OutboxJob, job_id)
    assert again.status == JobStatus.PENDING and again.sending_at is None and again.next_try_at <= utcnow()


def test_a_job_that_used_up_its_attempts_gets_one_more_try_when_retried(database_url, tmp_path, service) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path)})
    sent: list[str] = []
    with transaction(service.sessions) as s:
        job = enqueue(s, "notify.text", {"channel": "mp", "to": "resident-1", "text": "已受理"})
        s.flush()
        job.attempts = DEFAULT_MAX_ATTEMPTS  # type: ignore[union-attr]
        mark_parked(job, f"已试 {DEFAULT_MAX_ATTEMPTS} 次仍失败: ConnectionError")  # type: ignore[arg-type]
        job_id = job.id  # type: ignore[union-attr]
    assert runner.invoke(jobs_cli, ["retry", str(job_id)]).exit_code == 0

    Worker(service, {"notify.text": lambda ctx, payload: sent.append(payload["text"])}).run_once()
    assert sent == ["已受理"]
    with service.sessions() as s:
        assert s.get_one(OutboxJob, job_id).status == JobStatus.DONE
