"""Hostile input to our GeoReport server: characters XML cannot carry, NUL bytes, dates at the edge
of the calendar. Each is refused with an Open311 error or cleaned, never a 500 or a broken listing."""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.config import Config
from bot.open311.read_links import prepare_read_links
from bot.service import Service
from models import Case, Photo, PhotoRole, PhotoStatus
from tests.factories import make_street
from tests.open311.conftest import check

BASE = "/open311/v2"
FORM = {"service_code": "E0102", "lat": "39.9087", "long": "116.3975", "address_string": "长安街1号",
        "description": "路口有一堆生活垃圾"}


def test_control_characters_never_break_requests_xml(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(f"{BASE}/requests.json", data={
        "api_key": api_key, **FORM, "description": "垃圾\x0b很多\x0c\x1b[31m 第二行\n", "address_string": "长安街\x01 1号"})
    assert answer.status_code == 200
    listing = client.get(f"{BASE}/requests.xml")
    root = fromstring(listing.data)  # expat is strict: a \x0b in the body is a ParseError
    [request] = root.findall("request")
    assert request.find("description").text == "垃圾很多[31m 第二行"
    assert request.find("address").text == "长安街 1号"
    with service.sessions() as s:
        assert "\x0b" not in s.scalars(select(Case.description)).one()


def test_output_strips_what_xml_cannot_carry_even_when_stored(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    number = client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM}).get_json()[0]["service_request_id"]
    with service.sessions.begin() as s:  # as an older version, or another writer, may have stored it
        s.scalars(select(Case)).one().description = "a\x0bb\x1fc\ufffe"
    request = fromstring(client.get(f"{BASE}/requests/{number}.xml").data).find("request")
    assert request.find("description").text == "abc"


@pytest.mark.parametrize("where", ["description", "address_string", "api_key", "service_code", "attribute[external_id]"])
def test_nul_in_a_form_field_is_refused_with_400(client, service, api_key, where) -> None:  # type: ignore[no-untyped-def]
    form = {"api_key": api_key, **FORM}
    form[where] = form.get(where, "x") + "\x00"
    answer = client.post(f"{BASE}/requests.json", data=form)
    assert answer.status_code == 400
    [error] = check("errors", answer.get_json())
    assert "NUL" in error["description"]
    with service.sessions() as s:
        assert s.scalars(select(Case)).all() == []


@pytest.mark.parametrize("path", [
    f"{BASE}/requests/2026%00.json", f"{BASE}/requests.json?service_request_id=1%00",
    f"{BASE}/requests.json?service_code=E01%0002", f"{BASE}/tokens/ab%00.json",
    f"{BASE}/services/E01%0002.json",
])
def test_nul_in_a_query_is_refused_with_400(client, path) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(path)
    assert answer.status_code == 400 and "NUL" in answer.get_json()[0]["description"]


@pytest.mark.parametrize("query", [
    "start_date=0001-01-01T00:00:00%2B14:00", "end_date=0001-01-01T00:00:00Z",
    "end_date=9999-12-31T23:59:59-14:00",
    "start_date=2026-13-01T00:00:00Z", "end_date=99999-01-01T00:00:00Z",
])
def test_dates_outside_the_calendar_are_400_not_500(client, query) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"{BASE}/requests.json?{query}")
    assert answer.status_code == 400, answer.data
    [error] = check("errors", answer.get_json())
    assert "date" in error["description"]


def test_the_host_header_is_never_reflected_into_links(client, service, api_key, config) -> None:  # type: ignore[no-untyped-def]
    number = client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM}).get_json()[0]["service_request_id"]
    with service.sessions.begin() as s:
        case = s.scalars(select(Case)).one()
        s.add(Photo(case_id=case.id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path="a.jpg",
                    sha256="0" * 64, size=6))
    prepare_read_links(service)
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    discovery = client.get(f"{BASE}/discovery.json", headers=evil)
    assert b"evil" not in discovery.data and discovery.get_json()["endpoints"][0]["url"] == "/open311/v2"
    [item] = client.get(f"{BASE}/requests/{number}.json", headers=evil).get_json()
    assert item["media_url"].startswith("/media/")


def test_links_start_at_the_configured_public_url(database_url, tmp_path, api_key) -> None:  # type: ignore[no-untyped-def]
    configured = Config.from_env({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "d"),
                                  "CHENGGUAN_PUBLIC_URL": "https://cg.example.gov.cn"})
    client = create_app(service=Service.build(configured)).test_client()
    discovery = client.get(f"{BASE}/discovery.json", headers={"Host": "evil.example"}).get_json()
    assert discovery["endpoints"][0]["url"] == "https://cg.example.gov.cn/open311/v2"


def test_a_case_filed_over_open311_gets_its_street_like_a_chat_report(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    with service.sessions.begin() as s:
        street_id = make_street(s).id  # WGS-84 square 116.30-116.31 E, 39.90-39.91 N
        make_street(s, code="JD02", name="长安街道", polygon={"type": "Polygon", "coordinates": [
            [[117.0, 40.0], [117.1, 40.0], [117.1, 40.1], [117.0, 40.1], [117.0, 40.0]]]})
    inside = {"lat": "39.905", "long": "116.305", "address_string": ""}
    client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM, **inside})
    client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM, "lat": "", "long": "",
                                                "address_string": "长安街道办事处门口"})
    with service.sessions() as s:
        assert [c.street_id for c in s.scalars(select(Case).order_by(Case.id))] == [street_id, street_id + 1]
