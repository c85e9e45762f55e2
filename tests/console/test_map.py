"""The map's GeoJSON: only with a session, only the user's streets and open cases; the tile server
from configuration (and in the CSP), none by default."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.config import Config, ConfigError
from bot.db import transaction
from models import Case, CaseStatus, Street
from tests.console.helpers import sign_in
from tests.factories import make_case
from tests.resident.test_report_flow import EAST, WEST


@pytest.fixture
def located(service, seeded):  # type: ignore[no-untyped-def]
    """The seeded cases get points; one more east case is closed (never on the map)."""
    with transaction(service.sessions) as s:
        s.get(Street, seeded.east).polygon, s.get(Street, seeded.west).polygon = EAST, WEST
        for i, case in enumerate(s.scalars(select(Case).where(Case.number.in_(seeded.east_cases + seeded.west_cases)))):
            case.lat, case.lon = 39.902 + 0.0015 * i, (116.315 if case.number in seeded.east_cases else 116.305)
        closed = make_case(s, CaseStatus.CLOSED, street_id=seeded.east)
        closed.lat, closed.lon = 39.905, 116.315
    return seeded


def cases_in(data: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["properties"]["number"] for f in data["features"] if f["properties"]["kind"] == "case"}


def streets_in(data: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["properties"]["code"] for f in data["features"] if f["properties"]["kind"] == "street"}


def test_no_map_without_a_session(app, located) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for path in ("/console/map", "/console/map.json", f"/console/map.json?case={located.east_cases[0]}"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/console/login" in answer.headers["Location"], path


def test_a_street_reviewer_sees_their_street_only(app, located) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    data = client.get("/console/map.json").get_json()
    assert cases_in(data) == set(located.east_cases) and streets_in(data) == {"E"}
    point = next(f for f in data["features"] if f["properties"]["kind"] == "case")
    assert point["geometry"]["type"] == "Point" and point["geometry"]["coordinates"][0] == 116.315
    assert point["properties"]["url"].startswith("/console/cases/")
    assert client.get(f"/console/map.json?case={located.west_cases[0]}").status_code == 404
    one = client.get(f"/console/map.json?case={located.east_cases[0]}").get_json()
    assert cases_in(one) == {located.east_cases[0]} and streets_in(one) == {"E"}
    page = client.get("/console/map").get_data(as_text=True)
    assert 'data-geojson="/console/map.json"' in page and "未配置底图" in page


def test_the_admin_sees_every_street(app, located) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "admin")
    data = client.get("/console/map.json").get_json()
    assert cases_in(data) == set(located.east_cases + located.west_cases) and streets_in(data) == {"E", "W"}


def test_tiles_from_configuration(app, service, located) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    assert "img-src 'self';" in client.get("/console/map").headers["Content-Security-Policy"]
    service.config = replace(service.config, map_tiles="https://{s}.tiles.example.cn/gcj02/{z}/{x}/{y}.png")
    answer = client.get("/console/map")
    assert "img-src 'self' https://*.tiles.example.cn;" in answer.headers["Content-Security-Policy"]
    assert 'data-tiles="https://{s}.tiles.example.cn/gcj02/{z}/{x}/{y}.png"' in answer.get_data(as_text=True)
    for bad in ("javascript:alert(1)", "https://tiles.example.cn/tile.png", "//tiles.example.cn/{z}/{x}/{y}"):
        with pytest.raises(ConfigError, match="CHENGGUAN_MAP_TILES"):
            Config.from_env({"CHENGGUAN_MAP_TILES": bad})
