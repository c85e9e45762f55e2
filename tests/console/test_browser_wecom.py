"""企业微信扫码登录 in a real browser: the console's button, WeCom's page (the stand-in on loopback,
where the bound reviewer "scans"), back to the console signed in."""

from __future__ import annotations

from playwright.sync_api import expect

from models import Role
from tests.console.browser import browser, console_url, page  # noqa: F401 (fixtures)
from tests.console.helpers import with_public_url

__all__ = ["browser", "console_url", "page"]


def test_sign_in_with_wecom_qr(page, console_url, mp_service, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    with_public_url(mp_service, console_url)
    reviewer = new_staff(Role.REVIEWER, "扫码的审核员")
    wechat_api.sign_in_as = reviewer.openid
    page.goto(f"{console_url}/console/")
    page.click("text=企业微信扫码登录")
    expect(page.locator(".top .who")).to_contain_text("扫码的审核员")
    assert page.url.rstrip("/").endswith("/console")
    expect(page.locator(".tabs a.active")).to_contain_text("待受理")
