"""A case accepted when no routing rule fits: the reviewer is told both ways out (a routing rule, or
「派遣 编号 单位」 by hand), 派遣 is refused for the wrong role, street or unit, and a rule added later
dispatches the waiting cases by itself, with the same notices as an automatic dispatch."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from bot.admin_cli import units
from models import AuditEvent, CaseStatus, Role
from tests.photos import photo
from tests.staff.scenario import PROBLEM, case, resident_reports, seed_district


def test_accepted_without_a_rule_then_dispatched_by_hand(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service, routed=False)
    reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    west_reviewer = new_staff(Role.REVIEWER, street_id=district.west)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    number = resident_reports(new_user(), wechat_api, run_worker)

    accepted = reviewer.send_text(f"受理 {number}").text
    assert "没有找到负责单位" in accepted
    assert "chengguan units route" in accepted and "routes add" not in accepted
    assert f"派遣 {number}" in accepted and "E-ZF 东街执法队" in accepted  # the command, and the units to choose from
    assert case(mp_service, number).status == CaseStatus.ACCEPTED

    assert "只能由审核员、管理员操作" in officer.send_text(f"派遣 {number} E-ZF").text
    assert "不在您负责的范围" in west_reviewer.send_text(f"派遣 {number} E-ZF").text
    assert "请写明案件编号和单位" in reviewer.send_text("派遣").text
    assert "请写明派遣单位" in reviewer.send_text(f"派遣 {number}").text
    unknown = reviewer.send_text(f"派遣 {number} 不存在的队").text
    assert "没有找到单位「不存在的队」" in unknown and "E-ZF 东街执法队" in unknown
    assert "不属于该案件所在街道" in reviewer.send_text(f"派遣 {number} W-ZF").text
    assert case(mp_service, number).status == CaseStatus.ACCEPTED

    assert "已派遣至东街执法队" in reviewer.send_text(f"派遣 {number} 东街执法队").text  # by name as well as by code
    dispatched = case(mp_service, number)
    assert dispatched.status == CaseStatus.DISPATCHED and dispatched.unit_id == district.east_unit
    run_worker()
    (notice,) = wechat_api.wait_for_message(officer.openid)
    assert number in notice and f"整改 {number}" in notice
    assert wechat_api.images_to(officer.openid) == [photo(PROBLEM)]
    assert "当前为「已派遣」" in reviewer.send_text(f"派遣 {number} E-ZF").text  # once only
    with mp_service.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "dispatch")).one()
    assert event.actor_id is not None and event.data == {"unit_id": district.east_unit}


def test_a_rule_added_later_dispatches_the_waiting_cases(mp_service, wechat_api, new_user, new_staff, run_worker, database_url) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service, routed=False)
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    waiting = [resident_reports(new_user(), wechat_api, run_worker) for _ in range(2)]
    for number in waiting:
        reviewer.send_text(f"受理 {number}")
    untouched = resident_reports(new_user(), wechat_api, run_worker)  # not accepted yet: stays for the reviewer

    runner = CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(mp_service.config.data_dir)})
    west_only = runner.invoke(units, ["route", "W-ZF", "--street", "W"])
    assert west_only.exit_code == 0 and "派遣" in west_only.output and "已自动派遣" not in west_only.output
    assert {case(mp_service, n).status for n in waiting} == {CaseStatus.ACCEPTED}

    result = runner.invoke(units, ["route", "E-ZF", "--street", "E"])
    assert result.exit_code == 0, result.output
    assert "已自动派遣 2 件" in result.output and all(n in result.output for n in waiting)
    for number in waiting:
        dispatched = case(mp_service, number)
        assert dispatched.status == CaseStatus.DISPATCHED and dispatched.unit_id == district.east_unit
    assert case(mp_service, untouched).status == CaseStatus.REPORTED
    run_worker()
    notices = wechat_api.wait_for_message(officer.openid, count=2)
    assert all(any(n in m for m in notices) for n in waiting)
    assert len(wechat_api.images_to(officer.openid)) == 2
