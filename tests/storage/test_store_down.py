"""With the bucket down, a photo's job waits for it (never parked, no attempt used) while the webhook
answers as usual; once the bucket is back the photo is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Config
from bot.jobs import PHOTO_ATTEMPTS
from bot.photostore import store_for
from models import JobStatus, OutboxJob, PhotoRole, PhotoStatus, utcnow
from tests.chat import mp_env
from tests.photos import photo
from tests.staff.scenario import PROBLEM, send_photo
from tests.storage.conftest import s3_env
from tests.storage.test_photo_lifecycle import photos_of


@pytest.fixture
def store_env(s3_store_env: dict[str, str]) -> dict[str, str]:
    """Here: the bucket only (the local folder is never 'down')."""
    return s3_store_env


def test_with_the_bucket_down_the_photo_waits_and_the_webhook_answers(
        mp_service, wechat_api, new_user, run_worker, database_url, tmp_path, unused_port, s3_store_env) -> None:  # type: ignore[no-untyped-def]
    live = mp_service.config
    bucket = s3_store_env["CHENGGUAN_PHOTO_STORE"].removeprefix("s3://").split("/")[0]
    mp_service.config = Config.from_env({**mp_env(wechat_api, database_url, tmp_path / "data"),
                                         **s3_env(f"http://127.0.0.1:{unused_port}", bucket)})
    resident = new_user()
    assert "已收到第1张照片" in send_photo(resident, wechat_api, PROBLEM).text  # the webhook never waits on storage
    for _ in range(PHOTO_ATTEMPTS + 2):  # more rounds than the job has attempts: the store is not the photo's fault
        run_worker()
        with mp_service.sessions() as s:
            (job,) = s.scalars(select(OutboxJob).where(OutboxJob.kind == "photo.fetch")).all()
            assert job.status == JobStatus.PENDING and job.attempts == 0  # waiting, not failing
            assert "对象存储无法访问" in (job.last_error or "")
            assert job.next_try_at <= utcnow() + timedelta(minutes=1)
            job.next_try_at = utcnow()
            s.commit()
    (waiting,) = photos_of(mp_service, PhotoRole.PROBLEM)
    assert waiting.status == PhotoStatus.PENDING and not wechat_api.messages_to(resident.openid)  # not refused

    mp_service.config = live  # the bucket is back
    run_worker()
    (stored,) = photos_of(mp_service, PhotoRole.PROBLEM)
    assert stored.status == PhotoStatus.STORED and store_for(live).get(stored.storage_path) == photo(PROBLEM)
