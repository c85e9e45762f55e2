"""The reviewer's day in a real browser: sign in, filter the queue, open a case, see both photos,
approve one case and return another for rework; and the refusals an attacker meets."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.db import transaction
from console import ratelimit
from models import AuditEvent, CaseStatus, OutboxJob, utcnow
from tests.console.browser import OFFICE, PHONE, browser, console_url, page, screenshot, sign_in  # noqa: F401 (fixtures)
from tests.console.helpers import PASSWORD
from tests.console.scenario import submitted_cases
from tests.factories import make_case
from tests.staff.scenario import case

__all__ = ["browser", "console_url", "page"]


def images_loaded(page: Page) -> list[int]:
    return page.eval_on_selector_all(".photos img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")


def test_review_two_cases_in_the_browser(page, console_url, mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    s = submitted_cases(mp_service, wechat_api, new_user, new_staff, run_worker)
    approve, rework = s.numbers
    now = utcnow()
    with transaction(mp_service.sessions) as db:
        late = make_case(db, street_id=s.district.east, deadline=now - timedelta(hours=5), description="垃圾未清").number
        original = make_case(db, street_id=s.district.east, deadline=now + timedelta(days=3), description="井盖缺失").number
        make_case(db, street_id=s.district.west, deadline=now - timedelta(days=1), description="西街的案件")

    page.goto(f"{console_url}/console/")
    expect(page.get_by_text("企业微信登录未开通")).to_be_visible()
    sign_in(page, console_url, "east", PASSWORD)
    expect(page.locator(".tabs a.active")).to_contain_text("待受理")
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(2)  # not the west street's case
    expect(rows.first).to_have_class("overdue")
    expect(rows.first).to_contain_text(late)
    assert page.eval_on_selector("tr.overdue td.deadline", "td => getComputedStyle(td).color") == "rgb(207, 34, 46)"
    screenshot(page, "console-queue.png")
    page.set_viewport_size(PHONE)
    screenshot(page, "console-queue-phone.png")
    page.set_viewport_size(OFFICE)
    page.click(".tabs >> text=待审核")
    expect(page.locator("table.cases tbody tr")).to_have_count(2)
    page.select_option("select[name=source]", label="巡查上报")
    page.click("form.filters button")
    expect(page.get_by_text("这里没有案件")).to_be_visible()
    page.select_option("select[name=source]", label="随手拍")
    page.click("form.filters button")
    expect(page.locator("table.cases tbody tr")).to_have_count(2)
    assert "source=snapshot" in page.url and "tab=submitted" in page.url
    screenshot(page, "console-queue-filtered.png")

    page.click(f"text={approve}")
    expect(page.locator("h1")).to_contain_text(approve)
    page.wait_for_load_state("networkidle")
    widths = images_loaded(page)
    assert len(widths) == 2 and all(w > 0 for w in widths), widths  # problem and rectification, both shown
    expect(page.locator(".verdict")).to_contain_text("核验通过")
    expect(page.locator("section.aligned-view")).to_have_attribute("data-aligned", "yes")
    page.fill("section.aligned-view input.blend", "100")
    assert page.eval_on_selector("img.over", "i => i.style.opacity") == "1"
    screenshot(page, "console-case.png")
    page.set_viewport_size(PHONE)
    screenshot(page, "console-case-phone.png")
    page.click("button:has-text('通过')")
    expect(page.locator(".flash.ok")).to_contain_text("已结案")

    page.goto(f"{console_url}/console/cases/{rework}")
    page.select_option("select[name=reason]", "整改不到位")
    page.fill("form.reason input[name=note]", "路边仍有垃圾")
    page.click("button:has-text('返工')")
    expect(page.locator(".flash.ok")).to_contain_text("已退回返工")
    expect(page.locator(".timeline")).to_contain_text("整改不到位 路边仍有垃圾")

    # the returned case gets more time: asked and approved in the console
    page.fill("form.suspend input[name=days]", "3")
    page.fill("form.suspend input[name=note]", "等待燃气公司配合")
    page.click("form.suspend button")
    expect(page.locator(".flash.pending")).to_contain_text("等待燃气公司配合")
    page.click("button:has-text('批准挂起')")
    expect(page.locator(".flash.ok")).to_contain_text("已批准挂起")

    # the overdue report is the same problem as another one: closed as its duplicate, linked both ways
    page.goto(f"{console_url}/console/cases/{late}")
    page.fill("form.duplicate input[name=original]", original)
    page.click("form.duplicate button")
    expect(page.locator(".flash.ok")).to_contain_text("重复案件关闭")
    expect(page.locator("h1 .status")).to_have_text("重复")
    page.click(f"dd.links >> text={original}")
    expect(page.locator("dd.links")).to_contain_text(late)

    run_worker()
    assert case(mp_service, approve).status == CaseStatus.CLOSED
    returned = case(mp_service, rework)
    assert returned.status == CaseStatus.RETURNED and returned.rework_count == 1
    with mp_service.sessions() as db:
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.case_id == returned.id).order_by(AuditEvent.id)).all()
        sent = db.scalars(select(OutboxJob.idempotency_key).where(OutboxJob.kind == "notify.text")).all()
    assert actions[-3:] == ["return", "suspend_requested", "suspend_approved"]
    assert case(mp_service, late).status == CaseStatus.DUPLICATE
    assert any("挂起/延期已批准" in m for m in wechat_api.messages_to(s.reviewer.openid))  # the one who asked is told
    assert f"returned:{returned.id}:1" in sent  # the officer is told, by the chat's own reaction
    assert any("整改不到位" in m and rework in m for m in wechat_api.messages_to(s.officer.openid))
    assert any("评价" in m for m in wechat_api.messages_to(s.residents[0].openid))


def test_refusals_in_the_browser(browser, page, console_url, service, seeded) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = seeded.east_cases[0], seeded.west_cases[0]
    # no session: every console URL leads to the sign-in page
    for path in ("/console/", f"/console/cases/{ours}", "/console/photos/1"):
        page.goto(console_url + path)
        expect(page.locator("input[name=password]")).to_be_visible()

    sign_in(page, console_url, "east", PASSWORD)
    assert page.goto(f"{console_url}/console/cases/{theirs}").status == 404
    expect(page.get_by_text("不在您负责的范围内")).to_be_visible()

    # a form aimed at the other street's case
    page.goto(f"{console_url}/console/cases/{ours}")
    page.eval_on_selector("form.reason", f"f => {{ f.action = '/console/cases/{theirs}/reject'; }}")
    page.fill("form.reason input[name=note]", "非城管事项")
    with page.expect_response(re.compile(f"/cases/{theirs}/reject")) as answer:
        page.click("button:has-text('退回')")
    assert answer.value.status == 404

    # a form without its CSRF token
    page.goto(f"{console_url}/console/cases/{ours}")
    page.eval_on_selector("form.inline[action$=accept] input[name=csrf_token]", "i => i.remove()")
    with page.expect_response(re.compile("/accept$")) as answer:
        page.click("button:has-text('受理')")
    assert answer.value.status == 400
    expect(page.get_by_text("页面已过期")).to_be_visible()
    assert case(service, theirs).status == CaseStatus.REPORTED and case(service, ours).status == CaseStatus.REPORTED

    # guessing passwords: blocked after the limit, even with the right one
    guesser = browser.new_context().new_page()
    for _ in range(ratelimit.MAX_FAILURES_PER_LOGIN):
        sign_in(guesser, console_url, "west", "wrong-password")
        expect(guesser.get_by_text("用户名或密码不正确")).to_be_visible()
    sign_in(guesser, console_url, "west", PASSWORD)
    expect(guesser.get_by_text("登录失败次数过多")).to_be_visible()
    guesser.context.close()
