"""notify.photo: the problem photo pushed to an officer (uploaded as temporary media, then sent), and
what happens when it is not downloaded yet, was refused, is too large for WeChat, or is refused."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from bot import photostore
from bot.db import transaction
from bot.jobs import PHOTO_ATTEMPTS
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
            row.storage_path, row.sha256 = photostore.save(photostore.store_for(service.config), data, utcnow())
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


def test_a_photo_still_downloading_is_sent_later_not_lost(mp_service, wechat_api, run_worker, caplog) -> None:  # type: ignore[no-untyped-def]
    job_id = photo_job(mp_service, PhotoStatus.PENDING)
    with caplog.at_level(logging.INFO):
        run_worker()
    waiting = job(mp_service, job_id)
    assert waiting.status == JobStatus.PENDING and "not stored yet" in (waiting.last_error or "")
    assert waiting.attempts == 0 and waiting.next_try_at <= utcnow() + timedelta(seconds=5)  # soon, not a back-off
    assert wechat_api.images_to(OFFICER) == []
    # waiting for the photo's own job is normal with several workers: one quiet line, no traceback
    worker_lines = [r for r in caplog.records if r.name == "bot.worker"]
    assert worker_lines and all(r.levelno == logging.INFO and not r.exc_info for r in worker_lines)

    with transaction(mp_service.sessions) as s:  # the photo's job ends, and the wait is over
        row = s.get_one(Photo, s.get_one(OutboxJob, job_id).payload["photo_id"])
        row.storage_path, row.sha256 = photostore.save(photostore.store_for(mp_service.config), photo(PROBLEM), utcnow())
        row.status = PhotoStatus.STORED
        s.get_one(OutboxJob, job_id).next_try_at = utcnow()
    run_worker()
    assert job(mp_service, job_id).status == JobStatus.DONE and wechat_api.images_to(OFFICER) == [photo(PROBLEM)]


def test_a_photo_whose_download_gives_up_is_refused_and_its_sender_told(mp_service, wechat_api, run_worker) -> None:  # type: ignore[no-untyped-def]
    """photo.fetch parked (here: its attempts used up) makes the photo unusable, so nothing waits on it for ever."""
    with transaction(mp_service.sessions) as s:
        row = Photo(role=PhotoRole.PROBLEM, status=PhotoStatus.PENDING)
        s.add(row)
        s.flush()
        fetch = enqueue(s, "photo.fetch", {"photo_id": row.id, "channel": "mp", "sender": "resident-1",
                                           "pic_url": f"{wechat_api.base_url}/pic/gone", "media_id": ""})
        s.flush()
        fetch.attempts, photo_id = PHOTO_ATTEMPTS - 1, row.id  # type: ignore[union-attr]
    wechat_api.fail_pic_urls = True
    wechat_api.user_wrote("resident-1")  # who just sent the photo
    run_worker()
    with mp_service.sessions() as s:
        assert s.get_one(Photo, photo_id).status == PhotoStatus.REJECTED
        (parked,) = s.scalars(select(OutboxJob).where(OutboxJob.kind == "photo.fetch")).all()
        assert parked.status == JobStatus.PARKED and f"已试 {PHOTO_ATTEMPTS} 次" in (parked.last_error or "")
    assert wechat_api.messages_to("resident-1") == ["您发送的照片无法使用: 这张照片未能处理, 请重新拍摄发送。"]


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
