"""A case whose only problem photo turned out unusable after the resident confirmed (it was still
downloading): the rectification check cannot compare, and says so at once to the officer and the
reviewers, instead of retrying for ever."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db import transaction
from models import CaseStatus, JobStatus, OutboxJob, Photo, PhotoRole, PhotoStatus, Role, utcnow
from tests.resident.test_report_flow import EAST_POINT_GCJ
from tests.staff.scenario import SAME_ANGLE, case, seed_district, send_photo

VERDICT = "问题照片不可用，请审核员处理"


def report_with_a_corrupt_photo(mp_service, wechat_api, new_user, new_staff):  # type: ignore[no-untyped-def]
    """A resident's report confirmed while its only photo (corrupt, as it turns out) is still downloading;
    the east street's reviewer and officer. Returns (reviewer, officer, resident, case number)."""
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, "审核员甲")
    officer = new_staff(Role.OFFICER, "队员乙", street_id=district.east, unit_id=district.east_unit)
    resident = new_user()
    resident.send_image(*wechat_api.add_media(b"\xff\xd8\xff\xe0 not really a jpeg"))
    resident.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口")
    resident.send_text("路口有人占道经营")
    assert "照片: 1张 (1张仍在接收)" in resident.send_text("1").text
    number = resident.send_text("确认").text.split("案件编号: ")[1].split()[0]
    return reviewer, officer, resident, number


def test_a_rectification_without_a_usable_problem_photo_gets_a_verdict_not_retries(  # type: ignore[no-untyped-def]
    mp_service, wechat_api, new_user, new_staff, run_worker,
) -> None:
    reviewer, officer, resident, number = report_with_a_corrupt_photo(mp_service, wechat_api, new_user, new_staff)
    run_worker()
    assert any("照片无法使用" in m for m in wechat_api.messages_to(resident.openid))

    reviewer.send_text(f"受理 {number}")
    officer.send_text(f"整改 {number}")
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()

    with mp_service.sessions() as s:
        checks = s.scalars(select(OutboxJob).where(OutboxJob.kind == "rectify.check")).all()
        rectification = s.scalars(select(Photo).where(Photo.role == PhotoRole.RECTIFICATION)).one()
    assert [(j.status, j.attempts) for j in checks] == [(JobStatus.DONE, 1)]
    assert rectification.status == PhotoStatus.STORED
    assert rectification.check_result == {"ok": False, "reasons": [{"code": "problem_photo.unusable"}]}
    assert any(number in m and VERDICT in m for m in wechat_api.messages_to(officer.openid))
    assert any(number in m and VERDICT in m for m in wechat_api.messages_to(reviewer.openid))
    assert case(mp_service, number).status == CaseStatus.RECTIFYING


def test_a_rectification_waits_for_a_problem_photo_still_downloading_then_gets_its_verdict(  # type: ignore[no-untyped-def]
    mp_service, wechat_api, new_user, new_staff, run_worker,
) -> None:
    reviewer, officer, _resident, number = report_with_a_corrupt_photo(mp_service, wechat_api, new_user, new_staff)
    with transaction(mp_service.sessions) as s:  # the download is slow: another worker still has it
        (fetch,) = s.scalars(select(OutboxJob).where(OutboxJob.kind == "photo.fetch")).all()
        fetch.next_try_at = utcnow() + timedelta(hours=1)
    reviewer.send_text(f"受理 {number}")
    officer.send_text(f"整改 {number}")
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    with mp_service.sessions() as s:
        (check,) = s.scalars(select(OutboxJob).where(OutboxJob.kind == "rectify.check")).all()
    assert check.status == JobStatus.PENDING and check.attempts == 0 and "not stored yet" in check.last_error
    assert not any(VERDICT in m for m in wechat_api.messages_to(officer.openid))

    with transaction(mp_service.sessions) as s:  # the download ends (the photo is corrupt), the wait is over
        now = utcnow()
        for job in s.scalars(select(OutboxJob).where(OutboxJob.kind.in_(["photo.fetch", "rectify.check"]))):
            job.next_try_at = now  # due together: the older job (the download) runs first
    run_worker()
    with mp_service.sessions() as s:
        (check,) = s.scalars(select(OutboxJob).where(OutboxJob.kind == "rectify.check")).all()
    assert check.status == JobStatus.DONE
    assert any(number in m and VERDICT in m for m in wechat_api.messages_to(officer.openid))
