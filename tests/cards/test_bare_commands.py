"""A bare 受理 / 通过 / 返工 (no case number) acts on the only pending case of the sender's scope, or lists
the pending ones to choose by number; a reason is asked as a numbered choice."""

from __future__ import annotations

from bot.db import transaction
from models import CaseStatus, Role
from tests.factories import make_case
from tests.staff.scenario import case, seed_district


def _cases(service, status: CaseStatus, street: int, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        return [make_case(s, status, street_id=street, address=f"东街{i}号").number for i in range(n)]


def test_a_bare_accept_lists_the_pending_and_takes_the_chosen(mp_service, new_staff) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    first, second = _cases(mp_service, CaseStatus.REPORTED, district.east, 2)
    listed = reviewer.send_text("受理").text
    assert listed.startswith("待受理的案件, 请回复序号选择:") and f"1. {first}" in listed and f"2. {second}" in listed
    assert "请回复序号 (1-2)" in reviewer.send_text("3").text
    assert "已受理" in reviewer.send_text("2").text
    assert case(mp_service, second).status != CaseStatus.REPORTED
    assert case(mp_service, first).status == CaseStatus.REPORTED


def test_a_bare_approve_takes_the_only_pending_case(mp_service, new_staff) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    (number,) = _cases(mp_service, CaseStatus.SUBMITTED, district.east, 1)
    _cases(mp_service, CaseStatus.SUBMITTED, district.west, 1)  # another street's: not this reviewer's
    assert f"案件 {number} 核查通过, 已结案" in reviewer.send_text("通过").text


def test_a_bare_rework_asks_the_reason_and_takes_other_words(mp_service, new_staff) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    (number,) = _cases(mp_service, CaseStatus.SUBMITTED, district.east, 1)
    assert "3. 非原图\n4. 其他" in reviewer.send_text("返工").text
    assert "请写明返工原因" in reviewer.send_text("4").text
    assert "已退回返工 (第1次): 其他 照片太暗看不清" in reviewer.send_text("照片太暗看不清").text
    assert case(mp_service, number).status == CaseStatus.RETURNED


def test_bare_commands_keep_to_scope_and_role(mp_service, new_staff) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    west = new_staff(Role.REVIEWER, street_id=district.west)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    _cases(mp_service, CaseStatus.REPORTED, district.east, 1)
    assert west.send_text("受理").text == "没有待受理的案件。"
    assert "「受理」只能由审核员、管理员操作" in officer.send_text("受理").text


def test_a_reason_chosen_after_someone_else_decided_is_refused_and_ends_the_choice(mp_service, new_staff) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    first = new_staff(Role.REVIEWER, street_id=district.east)
    second = new_staff(Role.REVIEWER, street_id=district.east)
    (number,) = _cases(mp_service, CaseStatus.SUBMITTED, district.east, 1)
    assert "1. 整改不到位" in first.send_text("返工").text
    assert "已结案" in second.send_text(f"通过 {number}").text
    assert "当前为「已结案」" in first.send_text("1").text
    assert case(mp_service, number).status == CaseStatus.CLOSED and case(mp_service, number).rework_count == 0
    assert "审核命令" in first.send_text("1").text  # the choice is over: a digit is no reason any more
