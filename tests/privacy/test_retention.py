"""CHENGGUAN_RETENTION_DAYS, `chengguan privacy report` and the daily run: the run deletes exactly
what the report predicted for its time, in every kind, and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import photostore
from bot.photostore_local import LocalFolder
from bot.config import Config, ConfigError
from bot.db import transaction
from bot.jobs import job_handlers
from bot.privacy.job import KIND, next_run, queue_daily_run, todays_run
from bot.privacy.retention import holdings
from bot.privacy.settings import RetentionDays
from bot.worker import Worker
from bot.privacy.forget import FORGOTTEN_ACTION, SILENT
from models import (AuditEvent, Case, CaseStatus, Conversation, Identity, InboxMessage, JobStatus, OutboxJob, Photo,
                    PhotoFeatures, PhotoHash, PhotoRedaction, PhotoRole, PhotoStatus, ResidentReach, Role, User)
from models.calendar import TZ
from tests.factories import make_case, make_user

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=TZ)  # after today's 03:30 run time
DAY = timedelta(days=1)


def test_the_setting_is_read_and_defaults_fill_the_rest() -> None:
    config = Config.from_env({"CHENGGUAN_DATA_DIR": "/tmp/cg-retention", "CHENGGUAN_RETENTION_DAYS": " inbox=10, conversation=2 "})
    assert config.retention == RetentionDays(inbox=10, conversation=2)
    assert Config.from_env({"CHENGGUAN_DATA_DIR": "/tmp/cg-retention"}).retention == RetentionDays()


@pytest.mark.parametrize(("value", "said"), [
    ("inbox=thirty", "inbox 的天数应为正整数"), ("inbox=0", "inbox 的天数应为正整数"), ("inbox", "inbox 的天数应为正整数"),
    ("mailbox=30", "没有 'mailbox' 这一类"), ("inbox=30;photos_closed=365", "inbox 的天数应为正整数"),
])
def test_a_malformed_setting_names_the_variable_and_the_fix(value: str, said: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Config.from_env({"CHENGGUAN_DATA_DIR": "/tmp/cg-retention", "CHENGGUAN_RETENTION_DAYS": value})
    line = str(raised.value)
    assert line.startswith("CHENGGUAN_RETENTION_DAYS") and said in line and "inbox=30,photos_closed=365" in line
    assert "\n" not in line


def _photo(session, photo_dir: Path, case: Case | None, data: bytes, created: datetime, **fields) -> Photo:  # type: ignore[no-untyped-def]
    path, digest = photostore.save(LocalFolder(photo_dir), data, created)
    photo = Photo(case_id=case.id if case else None, role=PhotoRole.PROBLEM, storage_path=path, sha256=digest,
                  status=PhotoStatus.STORED, fingerprint={"x": 1}, created_at=created, **fields)
    session.add(photo)
    session.flush()
    session.add(PhotoHash(photo_id=photo.id, phash=1, c0=1, c1=2, c2=3, c3=4))
    session.add(PhotoFeatures(photo_id=photo.id, version=1, data=b"features"))
    copy, _ = photostore.save(LocalFolder(photo_dir), data + b"redacted", created, suffix=".redacted.jpg")
    session.add(PhotoRedaction(photo_id=photo.id, storage_path=copy, regions=[]))
    return photo


def _seed(service) -> dict[str, set[int]]:  # type: ignore[no-untyped-def]
    """Rows on both sides of each limit (defaults: inbox 30, conversation 7, photos_closed 365, photos_unused 30,
    jobs 30 days); returns the ids that must go."""
    photo_dir, old, recent = service.config.photo_dir, NOW - 400 * DAY, NOW - DAY
    gone: dict[str, set[int]] = {}
    with transaction(service.sessions) as s:
        inbox = [InboxMessage(channel="mp", dedupe_key=f"k{i}", sender="o1", msg_type="text", payload={"Content": "x"},
                              received_at=NOW - days * DAY) for i, days in enumerate((31, 40, 29, 1))]
        talks = [Conversation(channel="mp", external_id=f"o{i}", updated_at=NOW - days * DAY) for i, days in enumerate((8, 6))]
        jobs = [OutboxJob(kind="notify.text", payload={"to": "o1"}, status=status, done_at=NOW - days * DAY if days else None,
                          created_at=NOW - 90 * DAY) for status, days in
                ((JobStatus.DONE, 31), (JobStatus.DONE, 5), (JobStatus.PARKED, 0), (JobStatus.PENDING, 0))]
        s.add_all([*inbox, *talks, *jobs])
        silent, waiting, recent_writer, never_wrote = residents = [make_user(s, Role.RESIDENT) for _ in range(4)]
        for user, openid, last in ((silent, "o_silent", old), (waiting, "o_waiting", old), (recent_writer, "o_recent", recent),
                                   (never_wrote, "o_never_wrote", None)):
            s.add(Identity(user_id=user.id, channel="mp", external_id=openid))
            if last:
                s.add(ResidentReach(openid=openid, last_inbound_at=last))
        never_wrote.created_at = old
        long_closed = make_case(s, CaseStatus.CLOSED, closed_at=old, reporter_id=silent.id)
        rejected = make_case(s, CaseStatus.REJECTED, closed_at=old)
        lately_closed = make_case(s, CaseStatus.CLOSED, closed_at=recent)
        still_open = make_case(s, CaseStatus.RECTIFYING, reporter_id=waiting.id)
        shared = b"same bytes in two cases"
        doomed = [_photo(s, photo_dir, long_closed, b"a", old), _photo(s, photo_dir, rejected, shared, old),
                  _photo(s, photo_dir, None, b"draft", NOW - 31 * DAY)]
        kept = [_photo(s, photo_dir, lately_closed, shared, old), _photo(s, photo_dir, still_open, b"b", old),
                _photo(s, photo_dir, None, b"draft2", NOW - 2 * DAY)]
        s.flush()
        gone = {"inbox": {inbox[0].id, inbox[1].id}, "conversation": {talks[0].id}, "jobs": {jobs[0].id},
                "photos_closed": {doomed[0].id, doomed[1].id}, "photos_unused": {doomed[2].id}, "photos_forgotten": set(),
                "kept_photos": {p.id for p in kept}, "residents": {silent.id, never_wrote.id}}
        assert len(residents) == 4
    return gone


def test_the_daily_run_deletes_exactly_what_the_report_predicted(service, database_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    service.config.ensure_dirs()
    expected = _seed(service)
    with service.sessions() as s:
        at = next_run(s, NOW)
        predicted = {h.kind.name: set(h.due_ids) for h in holdings(s, service.config.retention, at)}
        held_before = {h.kind.name: h.count for h in holdings(s, service.config.retention, at)}
        files = {p.id: p.storage_path for p in s.scalars(select(Photo))}
    assert at == todays_run(NOW + DAY)  # today's run is over (NOW is past 03:30 and none is queued)
    assert predicted == {k: v for k, v in expected.items() if k != "kept_photos"}
    assert held_before["residents"] == 3  # the one with an open case is not held under this kind

    report = CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(service.config.data_dir)})
    from bot.cli import _attach_commands, cli
    _attach_commands()
    monkeypatch.setattr("models.utcnow", lambda: NOW)  # the command's clock (it reads models.utcnow when run)
    shown = report.invoke(cli, ["privacy", "report", "--ids"], catch_exceptions=False).output
    assert "inbox 收到的原始消息: 保存 4 条, 最早 2026-10-21; 下次删除 2 条" in shown and "下次清理: 2026-12-01 03:30" in shown and f"  {' '.join(map(str, sorted(predicted['inbox'])))}" in shown

    monkeypatch.undo()
    queue_daily_run(service, at)  # the scheduler's tick at the run time
    queue_daily_run(service, at + timedelta(minutes=10))  # and the next ones: still one run that day
    assert Worker(service, job_handlers()).run_until_idle() >= 1

    with service.sessions() as s:
        runs = s.scalars(select(OutboxJob).where(OutboxJob.kind == KIND)).all()
        assert [(r.status, r.payload["at"]) for r in runs] == [(JobStatus.DONE, at.isoformat())]
        after = {h.kind.name: h.count for h in holdings(s, service.config.retention, at)}
        assert s.scalars(select(InboxMessage.id).where(InboxMessage.id.in_(predicted["inbox"]))).all() == []
        assert s.scalars(select(Conversation.id).where(Conversation.id.in_(predicted["conversation"]))).all() == []
        assert s.scalars(select(OutboxJob.id).where(OutboxJob.id.in_(predicted["jobs"]))).all() == []
        erased = set(s.scalars(select(Photo.id).where(Photo.status == PhotoStatus.ERASED)))
        assert erased == predicted["photos_closed"] | predicted["photos_unused"]
        assert all(p.storage_path is None and p.sha256 is None and p.fingerprint is None
                   for p in s.scalars(select(Photo).where(Photo.id.in_(erased))))
        assert set(s.scalars(select(PhotoHash.photo_id))) == expected["kept_photos"]
        assert set(s.scalars(select(PhotoFeatures.photo_id))) == expected["kept_photos"]  # descriptors go too
        assert set(s.scalars(select(PhotoRedaction.photo_id))) == expected["kept_photos"]  # and the redacted copies
    with service.sessions() as s:
        forgotten = set(s.scalars(select(User.id).where(User.forgotten_at.is_not(None))))
        assert forgotten == predicted["residents"]
        assert set(s.scalars(select(Identity.external_id))) == {"o_waiting", "o_recent"}
        assert s.scalars(select(AuditEvent.note).where(AuditEvent.action == FORGOTTEN_ACTION)).all() == [SILENT]
    for kind in ("inbox", "conversation", "photos_unused"):
        assert after[kind] == held_before[kind] - len(predicted[kind])
    photo_dir = service.config.photo_dir
    for photo_id, path in files.items():
        # the shared file stays: a kept photo still points at it
        assert (photo_dir / path).exists() == (photo_id not in erased or path == files[min(expected["kept_photos"])])


def test_a_queued_run_is_the_next_one_and_keeps_its_time(service) -> None:  # type: ignore[no-untyped-def]
    queue_daily_run(service, NOW - timedelta(hours=1))  # before 03:30: nothing yet
    with service.sessions() as s:
        assert s.scalars(select(OutboxJob).where(OutboxJob.kind == KIND)).all() == []
    queue_daily_run(service, NOW)
    with service.sessions() as s:
        assert next_run(s, NOW + 2 * DAY) == todays_run(NOW)
