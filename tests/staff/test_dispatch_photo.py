"""notify.photo: the problem photo pushed to an officer (uploaded as temporary media, then sent), and
what happens when it is not downloaded yet, was refused, is too large for WeChat, or is refused."""

from __future__ import annotations

from sqlalchemy import select

from bot import photostore
from bot.db import transaction
from models import JobStatus, OutboxJob, Photo, PhotoRole, PhotoStatus, utcnow
from models.outbox import enqueue
from models.users import CHANNEL_WORK
from tests.photos import photo
from tests.staff.scenario import PROBLEM

OFFICER = "staff-officer"


def photo_job(service, status: PhotoStatus, data: bytes = b"", to: str = OFFICER) -> int:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        row = Photo(role=PhotoRole.PROBLEM, status=status)
        if data:
            row.storage_path, row.sha256 = photostore.save(service.config.photo_dir, data, utcnow())
        s.add(row)
        s.flush()
        job = enqueue(s, "notify.photo", {"channel": CHANNEL_WORK, "to": to, "photo_id": row.id})
        s.flush()
        return job.id  # type: ignore[union-attr]


def job(service, job_id: int) -> OutboxJob:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.scalars(select(OutboxJob).where(OutboxJob.id == job_id)).one()


def test_a_stored_photo_reaches_the_officer_as_an_image(mp_service, wechat_api, run_worker) -> None:  # type: ignore[no-untyped-def]
    job_id = photo_job(mp_service, PhotoStatus.STORED, photo(PROBLEM))
    run_worker()
    assert wechat_api.images_to(OFFICER) == [photo(PROBLEM)]
    assert job(mp_service, job_id).status == JobStatus.DONE


def test_a_photo_still_downloading_is_sent_later_not_lost(mp_service, wechat_api, run_worker) -> None:  # type: ignore[no-untyped-def]
    job_id = photo_job(mp_service, PhotoStatus.PENDING)
    run_worker()
    waiting = job(mp_service, job_id)
    assert waiting.status == JobStatus.PENDING and "not stored yet" in (waiting.last_error or "")
    assert wechat_api.images_to(OFFICER) == []


def test_a_refused_photo_is_not_sent(mp_service, wechat_api, run_worker) -> None:  # type: ignore[no-untyped-def]
    job_id = photo_job(mp_service, PhotoStatus.REJECTED)
    run_worker()
    assert job(mp_service, job_id).status == JobStatus.DONE and wechat_api.images_to(OFFICER) == []


def test_a_photo_too_large_for_wechat_is_parked_with_the_reason(mp_service, wechat_api, run_worker) -> None:  # type: ignore[no-untyped-def]
    job_id = photo_job(mp_service, PhotoStatus.STORED, b"\xff\xd8" + b"0" * (10 * 1024 * 1024))
    run_worker()
    parked = job(mp_service, job_id)
    assert parked.status == JobStatus.PARKED and "10485760" in (parked.last_error or "")
    assert wechat_api.images_to(OFFICER) == []


def test_an_unknown_user_is_parked_not_retried(mp_service, wechat_api, run_worker, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from flask import jsonify

    monkeypatch.setattr(wechat_api, "_record_image", lambda to, media_id: jsonify(errcode=60111, errmsg="invalid userid"))
    job_id = photo_job(mp_service, PhotoStatus.STORED, photo(PROBLEM))
    run_worker()
    assert job(mp_service, job_id).status == JobStatus.PARKED
