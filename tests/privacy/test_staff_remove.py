"""`chengguan staff remove USERID`: a staff member leaving is unbound and anonymised; their audit events
keep pointing at the same row, now a pseudonym; an unknown account is refused with what to check."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from bot.admin_cli import staff
from handlers.binding import NOT_BOUND
from models import AuditEvent, Identity, InviteCode, Role, User
from tests.staff.scenario import case_in_rectification


def _remove(service, userid: str):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": str(service.config.database_url), "CHENGGUAN_DATA_DIR": str(service.config.data_dir)}
    return CliRunner(env=env).invoke(staff, ["remove", userid])


def test_a_leaving_officer_is_unbound_and_named_by_a_pseudonym(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    with mp_service.sessions() as s:
        user = s.scalars(select(User).join(Identity).where(Identity.external_id == officer.openid)).one()
        acted = s.scalars(select(AuditEvent.id).where(AuditEvent.actor_id == user.id)).all()
        old_name = user.name
    assert acted  # 整改 wrote a "start" event with the officer as actor

    removed = _remove(mp_service, officer.openid)
    assert removed.exit_code == 0, removed.output
    assert f"企业微信账号 {officer.openid} 已解绑" in removed.output and f"已离职人员{user.id}" in removed.output
    assert f"仍有 1 件未结案件由其整改: {number}" in removed.output and "「整改 编号」即可接手" in removed.output

    with mp_service.sessions() as s:
        gone = s.get_one(User, user.id)
        assert (gone.name, gone.active, gone.mobile, gone.login, gone.password_hash) == (f"已离职人员{user.id}", False, None, None, None)
        assert gone.forgotten_at is not None and old_name not in repr(gone.__dict__)
        assert s.scalars(select(Identity).where(Identity.user_id == user.id)).all() == []
        assert s.scalars(select(InviteCode).where(InviteCode.user_id == user.id)).all() == []
        assert s.scalars(select(AuditEvent.id).where(AuditEvent.actor_id == user.id)).all() == acted
    assert officer.send_text("我的任务").text == NOT_BOUND  # the account no longer acts for anyone


def test_an_unknown_or_resident_account_is_refused(mp_service, new_user, new_staff) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_text("你好")
    for userid in ("nobody", resident.openid):
        refused = _remove(mp_service, userid)
        assert refused.exit_code == 1 and f"没有绑定企业微信账号 {userid} 的工作人员" in refused.output
    with mp_service.sessions() as s:
        assert s.scalars(select(User).where(User.forgotten_at.is_not(None))).all() == []
