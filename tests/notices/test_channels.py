"""Each notice reaches the resident who reported, exactly once, by the channel WeChat allows when it is
sent: chat messages (msgmenu for the rating) inside the 48-hour window, a subscription notification or a
template message days later, and otherwise a parked job listed by `chengguan notices stuck`."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from bot.jobs import job_handlers
from bot.notices.cli import notices_cli
from bot.notices.consent import reserved_for
from bot.notices.resend import resend_when_reachable
from bot.worker import Worker
from models import Case, JobStatus, OutboxJob, Satisfaction, utcnow
from models.reach import ResidentReach
from tests.notices.conftest import THREE_DAYS, accept, close
from tests.photos import photo

AUTHORISE_LINK = re.compile(r"https://mp\.weixin\.qq\.com/mp/subscribemsg\S+")
SUBSCRIBE = {"WECHAT_SUBSCRIBE_TEMPLATE_ID": "SUB-CASE", "CHENGGUAN_PUBLIC_URL": "http://app"}


def report(user, api) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    user.send_image(*api.add_media(photo("coffee")))
    user.send_location(39.9, 116.3, "某路口")
    user.send_text("井盖缺失很危险")
    user.send_text("1")
    reply = user.send_text("确认").text
    return reply.split("案件编号: ")[1].split()[0], reply


def the_case(service, number: str) -> Case:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.scalars(select(Case).where(Case.number == number)).one()


def test_closed_three_days_later_goes_by_subscription_and_carries_the_question(  # type: ignore[no-untyped-def]
        clock, configure, mp_service, wechat_api, new_user, http, run_worker) -> None:
    configure(**SUBSCRIBE)
    resident = new_user()
    number, confirmation = report(resident, wechat_api)
    link = AUTHORISE_LINK.search(confirmation).group(0)  # type: ignore[union-attr]
    assert "template_id=SUB-CASE" in link and "redirect_url=http%3A%2F%2Fapp%2Fwechat%2Fsubscribe" in link
    back = http.get(wechat_api.authorise(resident.openid, link))  # the resident taps 允许 on WeChat's page
    assert back.status_code == 200 and "订阅成功" in back.text

    accept(mp_service, number)
    run_worker()
    (accepted,) = wechat_api.pushed_to(resident.openid)
    assert accepted.kind == "text" and f"案件 {number} 已受理" in accepted.text and "处理时限" in accepted.text

    clock.shift(THREE_DAYS)
    close(mp_service, number)
    run_worker()
    sent = wechat_api.pushed_to(resident.openid)
    assert [p.kind for p in sent] == ["text", "bizsend"]  # no chat message outside the window
    assert sent[1].raw["template_id"] == "SUB-CASE"
    assert number in sent[1].text and "已办结" in sent[1].text and "请回复1满意2基本满意3不满意" in sent[1].text
    assert the_case(mp_service, number).feedback_asked_at is not None

    assert "已记录" in resident.send_text("1").text  # typing the answer opens a new window, and rates
    assert the_case(mp_service, number).satisfaction == Satisfaction.SATISFIED
    run_worker()
    assert len(wechat_api.pushed_to(resident.openid)) == 2  # nothing more: the question was asked once


def test_without_consent_a_configured_template_message_carries_it(  # type: ignore[no-untyped-def]
        clock, configure, mp_service, wechat_api, new_user, run_worker) -> None:
    configure(WECHAT_TEMPLATES=json.dumps({"closed": {"id": "TPL-CLOSED", "fields": {"number": "keyword1", "detail": "keyword2"}}}))
    wechat_api.templates.add("TPL-CLOSED")
    resident = new_user()
    number, confirmation = report(resident, wechat_api)
    assert "subscribemsg" not in confirmation  # no subscription template: nothing to offer

    clock.shift(THREE_DAYS)  # accepted and closed together, days later
    accept(mp_service, number)
    close(mp_service, number)
    run_worker()
    (sent,) = wechat_api.pushed_to(resident.openid)  # 已受理 had no channel: no template for it
    assert sent.kind == "template" and sent.raw["data"]["keyword1"]["value"] == number
    assert sent.raw["data"]["keyword2"]["value"] == "请回复1满意2基本满意3不满意"
    with mp_service.sessions() as s:
        (stuck,) = s.scalars(select(OutboxJob).where(OutboxJob.status == JobStatus.PARKED)).all()
    assert stuck.payload["notice"] == "accepted" and "未配置「已受理」模板" in (stuck.last_error or "")


def test_no_consent_and_no_template_is_listed_by_notices_stuck(  # type: ignore[no-untyped-def]
        clock, mp_service, wechat_api, new_user, run_worker, database_url, tmp_path) -> None:
    resident = new_user()
    number, _ = report(resident, wechat_api)
    clock.shift(THREE_DAYS)
    accept(mp_service, number)
    close(mp_service, number)
    run_worker()
    assert wechat_api.pushed_to(resident.openid) == []

    runner = CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data")})
    listed = runner.invoke(notices_cli, ["stuck"]).output
    assert f"案件 {number} 「已受理」" in listed and f"案件 {number} 「已办结」" in listed
    assert "居民48小时内未发消息" in listed and "订阅通知: 未配置" in listed and "模板消息: 未配置" in listed
    assert "chengguan jobs retry" in listed

    assert resend_when_reachable(mp_service) == 0  # the window is still shut
    resident.send_text("查询")  # writing again opens it: the notices go out, in order, once
    assert resend_when_reachable(mp_service) == 2
    run_worker()
    sent = wechat_api.pushed_to(resident.openid)
    assert [p.kind for p in sent] == ["text", "text", "msgmenu"]
    assert "已受理" in sent[0].text and "已办结" in sent[1].text
    assert resend_when_reachable(mp_service) == 0
    assert "没有未送达的通知" in runner.invoke(notices_cli, ["stuck"]).output


def test_wechat_closing_the_window_early_and_a_refused_subscription_move_on(  # type: ignore[no-untyped-def]
        clock, configure, mp_service, wechat_api, new_user, http, run_worker, config) -> None:
    configure(**SUBSCRIBE, WECHAT_TEMPLATES=json.dumps({"accepted": "TPL-ACCEPTED"}))
    wechat_api.templates.add("TPL-ACCEPTED")
    resident = new_user()
    number, _ = report(resident, wechat_api)
    # We record the resident's consent, WeChat has none (43101), and WeChat's clock says the window shut (45015).
    reserved = reserved_for(mp_service.config, resident.openid, "SUB-CASE")
    assert http.get("/wechat/subscribe", params={"openid": resident.openid, "template_id": "SUB-CASE",
                                                 "action": "confirm", "scene": "1", "reserved": reserved}).status_code == 200
    wechat_api.last_wrote[resident.openid] -= 49 * 3600

    accept(mp_service, number)
    run_worker()
    (sent,) = wechat_api.pushed_to(resident.openid)
    assert sent.kind == "template" and sent.raw["template_id"] == "TPL-ACCEPTED"
    with mp_service.sessions() as s:
        reach = s.scalars(select(ResidentReach).where(ResidentReach.openid == resident.openid)).one()
    assert reach.consents == 0 and reach.sent_since_inbound == 5  # refused: not tried again; window: shut


def test_a_consent_redirect_must_carry_the_hmac_issued_to_that_openid(configure, mp_service, http, new_user) -> None:  # type: ignore[no-untyped-def]
    configure(**SUBSCRIBE)
    alice = new_user()
    issued_to_alice = reserved_for(mp_service.config, alice.openid, "SUB-CASE")
    base = {"template_id": "SUB-CASE", "action": "confirm", "scene": "1"}
    forged = [
        {**base, "openid": "o_mallory", "reserved": issued_to_alice},
        {**base, "openid": alice.openid, "reserved": issued_to_alice[:-2] + "xx"},
        {**base, "openid": alice.openid, "reserved": issued_to_alice, "template_id": "OTHER"},
        {**base, "openid": alice.openid, "reserved": issued_to_alice, "action": "grant"},
    ]
    for params in forged:
        answer = http.get("/wechat/subscribe", params=params)
        assert answer.status_code == 403 and "链接无效" in answer.text
    with mp_service.sessions() as s:
        assert s.scalars(select(ResidentReach.consents).where(ResidentReach.consents > 0)).all() == []
    cancelled = http.get("/wechat/subscribe", params={**base, "openid": alice.openid, "reserved": issued_to_alice,
                                                      "action": "cancel"})
    assert cancelled.status_code == 200 and "未订阅" in cancelled.text


def test_every_notice_once_across_a_worker_restart(clock, mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    number, _ = report(resident, wechat_api)
    accept(mp_service, number)
    run_worker()
    assert len(wechat_api.pushed_to(resident.openid)) == 1
    assert Worker(mp_service, job_handlers()).run_until_idle() == 0  # a new worker finds nothing to send again
    assert len(wechat_api.pushed_to(resident.openid)) == 1

    close(mp_service, number)
    with mp_service.sessions() as s:  # a worker died inside the closure notice's call: the mark stays
        job = s.scalars(select(OutboxJob).where(OutboxJob.payload["notice"].as_string() == "closed")).one()
        job.sending_at = job.created_at
        s.commit()
    Worker(mp_service, job_handlers()).run_until_idle()
    assert len(wechat_api.pushed_to(resident.openid)) == 1  # not sent blindly a second time
    with mp_service.sessions() as s:
        parked = s.get_one(OutboxJob, job.id)
    assert parked.status == JobStatus.PARKED and "发送中断" in (parked.last_error or "")


def test_a_message_opens_48_hours_and_5_messages_a_follow_one_minute_and_3(clock, mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_event("subscribe")

    def reach() -> ResidentReach:
        with mp_service.sessions() as s:
            return s.scalars(select(ResidentReach).where(ResidentReach.openid == resident.openid)).one()

    followed = reach()
    assert followed.last_inbound_at is None and followed.last_event_at is not None
    assert followed.window_left(utcnow(), 3) and not followed.window_left(utcnow(), 4)
    clock.shift(timedelta(minutes=1))
    assert not reach().window_left(utcnow())

    resident.send_text("帮助")
    with mp_service.sessions() as s:
        s.get_one(ResidentReach, followed.id).sent_since_inbound = 5
        s.commit()
    assert not reach().window_left(utcnow())  # the message's 5 are used up
    clock.shift(THREE_DAYS)
    resident.send_text("查询")
    again = reach()
    assert again.sent_since_inbound == 0 and again.window_left(utcnow(), 5)
    resident.send_event("LOCATION")  # a location report opens no window
    assert reach().last_event_at == followed.last_event_at
