"""Who may do what in WeCom: binding with invite codes, refusals for the wrong role, street or unit,
and the WeCom callback's own security (signature, CorpID, encryption)."""

from __future__ import annotations

import base64
import time
from datetime import timedelta

from sqlalchemy import select
from wechatpy.enterprise.crypto import PrpCrypto

from bot.db import transaction
from bot.simulator.user import WeComUser, sign
from models import (
    AuditEvent,
    CaseStatus,
    Identity,
    InboxMessage,
    InviteCode,
    Role,
    User,
)
from tests.chat import AGENT_ID, WECOM_AES_KEY, WECOM_TOKEN, count
from tests.staff.scenario import case, resident_reports, seed_district


def stranger(http, wechat_api, userid: str = "zhangsan") -> WeComUser:  # type: ignore[no-untyped-def]
    return WeComUser("http://app", WECOM_TOKEN, WECOM_AES_KEY, wechat_api.corp_id, userid, agent_id=AGENT_ID, http=http)


def test_unknown_staff_are_told_how_to_bind_and_can_do_nothing(http, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    someone = stranger(http, wechat_api)
    for text in ("帮助", "受理 2026112200001", "我的任务"):
        assert "绑定 邀请码" in someone.send_text(text).text
    assert "邀请码无效" in someone.send_text("绑定 NOTACODE").text
    assert count(mp_service, Identity) == 0


def test_invite_code_binds_once(http, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    with transaction(mp_service.sessions) as s:
        user = User(name="王五", role=Role.OFFICER)
        s.add(user)
        s.flush()
        invite, code = InviteCode.issue(user.id)
        s.add(invite)
    assert "绑定成功" in stranger(http, wechat_api, "wangwu").send_text(f"绑定 {code.lower()} ").text
    with mp_service.sessions() as s:
        used = s.scalars(select(InviteCode)).one()
        assert used.used_at is not None and code not in used.code_hash
    assert "无效、已使用或已过期" in stranger(http, wechat_api, "lisi").send_text(f"绑定 {code}").text
    with mp_service.sessions() as s:
        assert s.scalars(select(Identity.external_id)).all() != ["lisi"]
        assert len(s.scalars(select(Identity)).all()) == 1


def test_expired_invite_code_is_refused(http, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    with transaction(mp_service.sessions) as s:
        user = User(name="赵六", role=Role.OFFICER)
        s.add(user)
        s.flush()
        invite, code = InviteCode.issue(user.id, valid_for=timedelta(seconds=-1))
        s.add(invite)
    assert "过期" in stranger(http, wechat_api).send_text(f"绑定 {code}").text
    assert count(mp_service, Identity) == 0


def test_role_street_and_unit_refusals(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    resident = new_user()
    east_reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    west_reviewer = new_staff(Role.REVIEWER, street_id=district.west)
    east_officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    west_officer = new_staff(Role.OFFICER, street_id=district.west, unit_id=district.west_unit)
    number = resident_reports(resident, wechat_api, run_worker)

    assert "只能由审核员、管理员操作" in east_officer.send_text(f"受理 {number}").text
    assert "不在您负责的范围" in west_reviewer.send_text(f"受理 {number}").text
    assert case(mp_service, number).status == CaseStatus.REPORTED
    assert "已受理" in east_reviewer.send_text(f"受理 {number}").text
    assert "当前为「已派遣」" in east_reviewer.send_text(f"受理 {number}").text  # out of order: refused, unchanged

    assert "不在您负责的范围" in west_officer.send_text(f"整改 {number}").text
    assert "不需要整改" not in west_officer.send_text("我的任务").text and number not in west_officer.send_text("我的任务").text
    assert "只能由队员、路长操作" in east_reviewer.send_text(f"整改 {number}").text
    assert "当前为「已派遣」" in east_reviewer.send_text(f"通过 {number}").text
    assert "请写明返工原因" in east_reviewer.send_text(f"返工 {number}").text
    assert "没有找到案件" in east_reviewer.send_text("受理 2000010100001").text

    # a resident typing staff commands on the Official Account changes nothing
    resident.send_text(f"通过 {number}")
    resident.send_text(f"受理 {number}")
    assert case(mp_service, number).status == CaseStatus.DISPATCHED
    with mp_service.sessions() as s:
        assert s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == ["report", "accept", "dispatch"]


def test_wecom_callback_refuses_forgeries(http, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    user = stranger(http, wechat_api)
    xml = user.message_xml("text", "<Content>帮助</Content>")
    assert user.post(xml, signature="0" * 40).status == 403
    other_corp = WeComUser("http://app", WECOM_TOKEN, WECOM_AES_KEY, "ww_other_corp", "x", http=http)
    assert other_corp.send_text("帮助").status == 403
    wrong_key = WeComUser("http://app", WECOM_TOKEN, "Q" * 43, wechat_api.corp_id, "x", http=http)
    assert wrong_key.send_text("帮助").status == 403
    assert count(mp_service, InboxMessage) == 0 and count(mp_service, User) == 0


def test_wecom_url_verification(http, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    key = base64.b64decode(WECOM_AES_KEY + "=")
    echostr = PrpCrypto(key).encrypt("echo-12345", wechat_api.corp_id).decode()
    timestamp, nonce = str(int(time.time())), "42"
    good = http.get("/wechat/work", params={"msg_signature": sign(WECOM_TOKEN, timestamp, nonce, echostr),
                                            "timestamp": timestamp, "nonce": nonce, "echostr": echostr})
    assert (good.status_code, good.text) == (200, "echo-12345")
    forged = http.get("/wechat/work", params={"msg_signature": "f" * 40, "timestamp": timestamp, "nonce": nonce,
                                              "echostr": echostr})
    assert forged.status_code == 403 and "echo" not in forged.text
