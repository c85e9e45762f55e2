"""Headless Chromium from Debian's package, driven by Playwright (never its own downloaded browsers),
and the app served on 127.0.0.1 by a real server thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bot.app import create_app
from bot.simulator.serving import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
OFFICE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Fails (never skips) when Chromium cannot start: install it with `apt-get install chromium`."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        yield chromium
        chromium.close()


@pytest.fixture
def console_url(mp_service) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(create_app(service=mp_service), name="console") as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=OFFICE, locale="zh-CN")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
