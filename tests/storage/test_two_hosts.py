"""Two service instances (two data dirs, as on two hosts) sharing one database and one bucket: a photo
received and stored by one is pushed, checked against and served by the other."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.config import Config
from bot.jobs import job_handlers
from bot.service import Service
from bot.worker import Worker
from models import Photo, PhotoRole, PhotoStatus, Role
from tests.chat import mp_env
from tests.photos import photo
from tests.staff.scenario import PROBLEM, SAME_ANGLE, resident_reports, seed_district, send_photo
from tests.storage.links import original_link

SHARED_KEY = "shared-signing-key-for-both-hosts"


@pytest.fixture
def store_env(s3_store_env: dict[str, str]) -> dict[str, str]:
    return {**s3_store_env, "CHENGGUAN_SECRET_KEY": SHARED_KEY}


@pytest.fixture
def host_b(wechat_api, database_url, tmp_path, store_env) -> Iterator[Service]:  # type: ignore[no-untyped-def]
    service = Service.build(Config.from_env({**mp_env(wechat_api, database_url, tmp_path / "host-b"), **store_env}))
    yield service
    service.dispose()


def test_a_photo_received_on_one_host_is_checked_and_served_by_the_other(
        mp_service, host_b, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    assert mp_service.config.data_dir != host_b.config.data_dir
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    number = resident_reports(new_user(), wechat_api, run_worker)  # host A's webhook and worker store it

    on_b = httpx.Client(transport=httpx.WSGITransport(app=create_app(service=host_b)), base_url="http://b")
    reviewer.http = officer.http = on_b  # from here on WeChat calls host B
    run_b = Worker(host_b, job_handlers()).run_until_idle
    reviewer.send_text(f"受理 {number}")
    run_b()
    assert wechat_api.images_to(officer.openid) == [photo(PROBLEM)]  # host B read A's photo from the bucket
    officer.send_text(f"整改 {number}")
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_b()
    assert "核验通过" in wechat_api.wait_for_message(officer.openid, count=2)[-1]

    with host_b.sessions() as s:
        problem, rectified = s.scalars(select(Photo).order_by(Photo.id)).all()
    assert (problem.role, rectified.role, rectified.status) == (PhotoRole.PROBLEM, PhotoRole.RECTIFICATION, PhotoStatus.STORED)
    assert on_b.get(original_link(mp_service, problem.id)).content == photo(PROBLEM)  # A's link, B serves it
    assert not any(p.is_file() for p in mp_service.config.photo_dir.rglob("*"))
    assert not any(p.is_file() for p in host_b.config.photo_dir.rglob("*"))
