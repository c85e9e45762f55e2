"""A case's photos on either store: the problem photo a resident sends is stored, pushed to the officer,
compared with the rectification photo, and served to the platform through its signed link."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from bot.photostore import store_for
from models import Photo, PhotoRole
from tests.photos import photo
from tests.staff.scenario import PROBLEM, SAME_ANGLE, case_in_rectification, send_photo
from tests.storage.links import original_link


def photos_of(service, role: PhotoRole) -> list[Photo]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return list(s.scalars(select(Photo).where(Photo.role == role).order_by(Photo.id)))


def test_a_cases_photos_are_stored_checked_and_served(mp_service, wechat_api, new_user, new_staff, run_worker,  # type: ignore[no-untyped-def]
                                                      http: httpx.Client, store_env) -> None:
    number, _, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    run_worker()
    (problem,) = photos_of(mp_service, PhotoRole.PROBLEM)
    assert store_for(mp_service.config).get(problem.storage_path) == photo(PROBLEM)
    assert wechat_api.images_to(officer.openid) == [photo(PROBLEM)]  # read back from the store
    if store_env:  # in the bucket, and nothing on this host
        assert not any(p.is_file() for p in mp_service.config.photo_dir.rglob("*"))

    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert "核验通过" in wechat_api.wait_for_message(officer.openid)[-1]  # taken before its 我来处理 card went out
    (rectified,) = photos_of(mp_service, PhotoRole.RECTIFICATION)
    assert store_for(mp_service.config).get(rectified.storage_path) == photo(SAME_ANGLE)

    served = http.get(original_link(mp_service, problem.id))
    assert served.status_code == 200 and served.content == photo(PROBLEM)
    assert served.headers["Content-Type"] == "image/jpeg"
    again = http.get(original_link(mp_service, problem.id), headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("store_env", ["s3"], indirect=True)
def test_presigned_links_send_the_platform_to_the_bucket(mp_service, wechat_api, new_user, new_staff, run_worker,  # type: ignore[no-untyped-def]
                                                         http: httpx.Client, s3_store_env) -> None:
    mp_service.config = replace(mp_service.config, photo_store=replace(mp_service.config.photo_store, links="presigned"))
    case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    (problem,) = photos_of(mp_service, PhotoRole.PROBLEM)
    answer = http.get(original_link(mp_service, problem.id))
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(s3_store_env["CHENGGUAN_S3_ENDPOINT"]) and "X-Amz-Expires=300" in location
    assert httpx.get(location, timeout=10).content == photo(PROBLEM)
