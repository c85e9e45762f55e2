"""Photo features are computed once, when a photo arrives, and stored with it: the rectification
check reads the problem photo's stored features instead of running SIFT on it again."""

from __future__ import annotations

from sqlalchemy import select

import photocheck.features as features_module
from models import CaseStatus, Photo, PhotoFeatures, PhotoRole
from photocheck.featureblob import FEATURES_VERSION
from tests.photocheck.conftest import count_calls
from tests.staff.scenario import SAME_ANGLE, case, case_in_rectification, send_photo


def test_problem_features_are_stored_once_and_reused_by_the_check(  # type: ignore[no-untyped-def]
        mp_service, wechat_api, new_user, new_staff, run_worker, monkeypatch) -> None:
    number, _, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    with mp_service.sessions() as s:
        problem_id = s.scalars(select(Photo.id).where(Photo.role == PhotoRole.PROBLEM)).one()
        stored = s.get_one(PhotoFeatures, problem_id)
        assert stored.version == FEATURES_VERSION and 10_000 < len(stored.data) < 300_000

    detected = count_calls(monkeypatch, features_module, "detect")
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert "核验通过" in wechat_api.wait_for_message(officer.openid)[-1]  # taken before its 我来处理 card went out
    assert case(mp_service, number).status == CaseStatus.SUBMITTED
    assert detected == [1]  # the rectification photo, once, when it arrived; the problem photo not again
    with mp_service.sessions() as s:
        rectification = s.scalars(select(Photo).where(Photo.role == PhotoRole.RECTIFICATION)).one()
        assert s.get(PhotoFeatures, rectification.id) is not None
