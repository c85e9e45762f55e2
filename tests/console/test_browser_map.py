"""The map in a real browser: Leaflet (vendored) draws the street polygons and the open cases as
coloured markers with no tile server (offline); a case page shows its small map. Screenshots at the
office size and on a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.console.browser import PHONE, browser, console_url, page, screenshot, sign_in  # noqa: F401 (fixtures)
from tests.console.helpers import PASSWORD
from tests.console.test_map import located  # noqa: F401 (fixture)

__all__ = ["browser", "console_url", "page", "located"]


def test_map_draws_streets_and_cases_offline(page, console_url, located) -> None:  # type: ignore[no-untyped-def]
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("pageerror", lambda e: failed.append(str(e)))
    sign_in(page, console_url, "admin", PASSWORD)
    page.click("nav.sections >> text=地图")
    expect(page.locator("#map")).to_have_attribute("data-cases", "5")
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(2)  # the two streets
    assert page.locator("#map .leaflet-tile").count() == 0  # no tile server: nothing fetched from outside
    page.wait_for_timeout(300)  # markers settle after the cluster animation
    screenshot(page, "console-map.png", full_page=False)
    markers = page.locator("#map .leaflet-marker-icon")
    assert markers.count() >= 1
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#map")).to_have_attribute("data-cases", "5")
    screenshot(page, "console-map-phone.png", full_page=False)
    assert not failed, failed

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{console_url}/console/cases/{located.east_cases[0]}")
    expect(page.locator("#casemap")).to_have_attribute("data-cases", "1")
    expect(page.locator("#casemap .pin")).to_have_count(1)
    expect(page.locator("#casemap path.leaflet-interactive")).to_have_count(1)


def test_dashboard_in_the_browser(page, console_url, located) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, console_url, "admin", PASSWORD)
    page.click("nav.sections >> text=考核")
    expect(page.locator("table.streets tbody tr")).to_have_count(3)  # two streets and the district total
    page.wait_for_function("() => document.querySelector('figure.chart img').naturalWidth > 0")
    screenshot(page, "console-dashboard.png")
    with page.expect_download() as download:
        page.click("text=下载台账")
    assert download.value.suggested_filename.endswith(".xlsx")
