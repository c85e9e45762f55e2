"""「删除我的信息」 over the Official Account: a confirmation step, then no trace of the resident's identity
anywhere in the database, their photos erased (those of an open case once it closes), the notices
waiting for them cancelled, and the cases still counted in the monthly report."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.assessment.period import Month
from bot.assessment.report import build_report
from bot.privacy.forget import CANCELLED, FORGOTTEN_ACTION
from bot.privacy.job import apply_kind
from bot.privacy.retention import KIND_BY_NAME, holdings
from models import (AuditEvent, Base, Case, CaseStatus, Conversation, Identity, JobStatus, OutboxJob, Photo, PhotoRole,
                    PhotoStatus, Role, User, utcnow)
from tests.resident.test_menu import event
from tests.staff.scenario import OTHER_ANGLE, PROBLEM, SAME_ANGLE, case, resident_reports, seed_district, send_photo


def _rows_mentioning(service, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every row of every table whose values contain `text` (as the table name)."""
    found = []
    with service.sessions() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)):
                if text in repr(tuple(row)):
                    found.append(f"{table.name}: {tuple(row)}")
    return found


def _report_totals(service) -> tuple[int, dict[str, int], int]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        total = build_report(s, Month.of(utcnow())).total
    return total.reported, dict(total.by_source), total.due


def _photo(service, number: str, role: PhotoRole = PhotoRole.PROBLEM) -> Photo:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.scalars(select(Photo).join(Case).where(Case.number == number, Photo.role == role)).one()


def test_deleting_my_information(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    resident = new_user()
    refused = resident_reports(resident, wechat_api, run_worker, problem=OTHER_ANGLE)
    reviewer.send_text(f"退回 {refused} 非城管事项")
    run_worker()
    open_case = resident_reports(resident, wechat_api, run_worker, problem=PROBLEM)
    reviewer.send_text(f"受理 {open_case}")  # its 已受理 notice is queued, not sent yet
    before = _report_totals(mp_service)
    photo_dir = mp_service.config.photo_dir
    refused_file, open_file = _photo(mp_service, refused).storage_path, _photo(mp_service, open_case).storage_path
    assert refused_file and open_file and (photo_dir / refused_file).exists()
    assert _rows_mentioning(mp_service, resident.openid)  # the test looks where it should

    asked = resident.send_text("删除我的信息").text
    assert "2 件案件" in asked and "结案后删除" in asked and "10分钟内回复「确认删除」" in asked
    done = resident.send_text("确认删除").text
    assert done.startswith("已删除您的个人信息: 2 件案件已匿名, 1 张照片已删除, 1 张照片将在案件结案后删除")
    sent_before = len(wechat_api.messages_to(resident.openid))
    run_worker()

    assert _rows_mentioning(mp_service, resident.openid) == []
    assert len(wechat_api.messages_to(resident.openid)) == sent_before  # the 已受理 notice was cancelled
    with mp_service.sessions() as s:
        cancelled = s.scalars(select(OutboxJob).where(OutboxJob.last_error == CANCELLED)).all()
        assert cancelled and all(job.payload == {} and job.status == JobStatus.DONE for job in cancelled)
        cases = s.scalars(select(Case).where(Case.number.in_([refused, open_case])).order_by(Case.id)).all()
        reporter = s.get_one(User, cases[0].reporter_id)
        assert {c.reporter_id for c in cases} == {reporter.id}  # the cases stay, with a placeholder reporter
        assert (reporter.name, reporter.mobile, reporter.active) == ("", None, False) and reporter.forgotten_at
        assert s.scalars(select(Identity).where(Identity.user_id == reporter.id)).all() == []
        trail = s.execute(select(AuditEvent.case_id, AuditEvent.actor_id).where(AuditEvent.action == FORGOTTEN_ACTION)).all()
        assert sorted(trail) == sorted((c.id, None) for c in cases)
    erased, kept = _photo(mp_service, refused), _photo(mp_service, open_case)
    assert (erased.status, erased.storage_path, erased.sha256) == (PhotoStatus.ERASED, None, None)
    assert not (photo_dir / refused_file).exists()
    assert kept.status == PhotoStatus.STORED and (photo_dir / open_file).exists()  # the rectification check needs it
    assert _report_totals(mp_service) == before

    # The open case goes on: rectified against the kept problem photo, approved, closed.
    officer.send_text(f"整改 {open_case}")
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert "已结案" in reviewer.send_text(f"通过 {open_case}").text
    run_worker()
    assert case(mp_service, open_case).status == CaseStatus.CLOSED
    assert len(wechat_api.messages_to(resident.openid)) == sent_before  # no 已办结, no rating question
    # ... and the next retention run erases its problem photo, not the officer's.
    retention, kind = mp_service.config.retention, KIND_BY_NAME["photos_forgotten"]
    with mp_service.sessions() as s:
        due = {h.kind.name: h.due_ids for h in holdings(s, retention, utcnow() + timedelta(seconds=1))}
    assert due["photos_forgotten"] == [kept.id]
    assert apply_kind(mp_service, kind, utcnow() + timedelta(seconds=1)) == 1
    assert _photo(mp_service, open_case).status == PhotoStatus.ERASED and not (photo_dir / open_file).exists()
    assert _photo(mp_service, open_case, PhotoRole.RECTIFICATION).status == PhotoStatus.STORED
    assert _report_totals(mp_service) == before

    # Writing again, they are a new resident with nothing of the old one.
    assert "使用说明" in resident.send_text("帮助").text
    with mp_service.sessions() as s:
        again = s.scalars(select(User).join(Identity).where(Identity.external_id == resident.openid)).one()
        assert again.id != reporter.id and again.forgotten_at is None


def test_anything_else_cancels_and_is_handled_as_usual(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_text("删除我的信息")
    reply = resident.send_text("查询").text
    assert reply.startswith("已取消删除, 您的信息未改动。") and "上报" in reply
    assert "没有待确认的删除" in resident.send_text("确认删除").text
    with mp_service.sessions() as s:
        assert s.scalars(select(Identity).where(Identity.external_id == resident.openid)).one()


def test_a_late_confirmation_deletes_nothing(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_text("删除我的信息")
    with mp_service.sessions() as s, s.begin():
        late = (utcnow() - timedelta(minutes=11)).isoformat()
        s.execute(update(Conversation).where(Conversation.external_id == resident.openid).values(data={"asked_at": late}))
    assert "已超过10分钟, 未删除" in resident.send_text("确认删除").text
    with mp_service.sessions() as s:
        user = s.scalars(select(User).join(Identity).where(Identity.external_id == resident.openid)).one()
        assert user.forgotten_at is None


def test_the_greeting_and_help_carry_the_privacy_notice(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from bot.privacy.settings import RetentionDays

    mp_service.config = replace(mp_service.config, retention=RetentionDays(inbox=14, jobs=10, photos_closed=180, residents=90))
    resident = new_user()
    followed = event(resident, "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey>")
    for reply in (followed.text, resident.send_text("帮助").text):
        assert "隐私告知" in reply and "照片、位置、问题描述和微信 openid" in reply and "处理城市管理问题" in reply
        assert "聊天消息保存14天" in reply and "办结后保存180天" in reply and "「删除我的信息」" in reply
        assert "您90天未发消息且没有处理中的案件时, openid 即删除" in reply


def test_a_photo_still_downloading_goes_on_for_an_open_case_only(service) -> None:  # type: ignore[no-untyped-def]
    from bot.db import transaction
    from bot.privacy.forget import forget_resident
    from models.outbox import enqueue
    from tests.factories import make_case, make_user

    with transaction(service.sessions) as s:
        resident = make_user(s, Role.RESIDENT)
        s.add(Identity(user_id=resident.id, channel="mp", external_id="o_downloading"))
        jobs = {}
        for status in (CaseStatus.ACCEPTED, CaseStatus.CLOSED):
            case_ = make_case(s, status, reporter_id=resident.id)
            photo = Photo(case_id=case_.id, role=PhotoRole.PROBLEM, uploaded_by=resident.id)
            s.add(photo)
            s.flush()
            jobs[status] = enqueue(s, "photo.fetch", {"photo_id": photo.id, "channel": "mp", "sender": "o_downloading",
                                                      "pic_url": "", "media_id": "M1"})
    with transaction(service.sessions) as s:
        done = forget_resident(s, s.get_one(User, resident.id), utcnow())
    assert (done.photos_erased, done.photos_kept_until_closed) == (1, 1)
    with service.sessions() as s:
        going_on, cancelled = (s.get_one(OutboxJob, jobs[status].id) for status in (CaseStatus.ACCEPTED, CaseStatus.CLOSED))
        assert going_on.status == JobStatus.PENDING and going_on.payload["sender"] == "" and going_on.payload["media_id"] == "M1"
        assert (cancelled.status, cancelled.payload, cancelled.last_error) == (JobStatus.DONE, {}, CANCELLED)


def test_a_retried_confirmation_registers_nobody_again(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_text("删除我的信息")
    confirm = resident.message_xml("text", "<Content>确认删除</Content>")
    first, retry = resident.post(confirm), resident.post(confirm)  # WeChat retries a slow reply with the same MsgId
    assert first.text.startswith("已删除您的个人信息") and retry.text == first.text
    with mp_service.sessions() as s:
        assert s.scalars(select(Identity).where(Identity.external_id == resident.openid)).all() == []
    assert _rows_mentioning(mp_service, resident.openid) == []
