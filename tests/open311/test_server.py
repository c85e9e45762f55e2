"""Our /open311/v2 answers as the GeoReport v2 spec says, checked against JSON schemas."""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.open311.keys import revoke_key
from bot.open311.read_links import prepare_read_links
from models import Case, CaseSource, CaseStatus, Photo, PhotoRole, PhotoStatus, Role
from models.platform import ApiKey
from tests.factories import make_user
from tests.open311.conftest import check

BASE = "/open311/v2"
FORM = {"service_code": "E0102", "lat": "39.9087", "long": "116.3975", "address_string": "长安街1号",
        "description": "路口有一堆生活垃圾"}


def post(client, key: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(f"{BASE}/requests.json", data={"api_key": key, **FORM, **extra})


def test_services_list_and_definition(client) -> None:  # type: ignore[no-untyped-def]
    services = check("services", client.get(f"{BASE}/services.json").get_json())
    assert {"service_code": "E0102", "service_name": "暴露垃圾", "group": "市容环境"}.items() <= services[1].items()
    check("service_definition", client.get(f"{BASE}/services/E0102.json").get_json())
    missing = client.get(f"{BASE}/services/X9999.json")
    assert missing.status_code == 404 and check("errors", missing.get_json())
    xml = client.get(f"{BASE}/services.xml")
    assert xml.content_type.startswith("text/xml") and xml.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert fromstring(xml.data).find("service/service_code").text == "E0101"


def test_post_creates_a_hotline_case_and_get_returns_it(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    answer = post(client, api_key)
    assert answer.status_code == 200
    [receipt] = check("post_response", answer.get_json())
    number = receipt["service_request_id"]
    [item] = check("requests", client.get(f"{BASE}/requests/{number}.json").get_json())
    assert (item["status"], item["service_code"], item["lat"], item["address"]) == ("open", "E0102", 39.9087, "长安街1号")
    assert item["requested_datetime"].endswith("+08:00") and item["status_notes"] == "待受理"
    with service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.source == CaseSource.HOTLINE and case.deadline is not None and case.gcj_lat is not None
        assert s.scalar(select(ApiKey.last_used_at).where(ApiKey.name == "district-a")) is not None


def test_post_with_the_same_external_id_is_one_case(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    first = post(client, api_key, **{"attribute[external_id]": "EXT-1"}).get_json()
    again = post(client, api_key, **{"attribute[external_id]": "EXT-1"}).get_json()
    other = post(client, api_key, **{"attribute[external_id]": "EXT-2"}).get_json()
    assert first == again != other
    with service.sessions() as s:
        assert len(s.scalars(select(Case)).all()) == 2


@pytest.mark.parametrize(("form", "status", "says"), [
    ({"api_key": ""}, 403, "api_key is missing"),
    ({"api_key": "cg_wrong"}, 403, "invalid"),
    ({"service_code": ""}, 400, "service_code was not provided"),
    ({"service_code": "Z0000"}, 404, "Z0000 was not found"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "a location is required"),
    ({"lat": "91", "long": "116"}, 400, "not WGS-84"),
    ({"long": ""}, 400, "sent together"),
    ({"description": "长" * 4001}, 400, "4000"),
])
def test_post_errors_are_the_spec_list_with_http_codes(client, api_key, form, status, says) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM, **form})
    assert answer.status_code == status
    [error] = check("errors", answer.get_json())
    assert error["code"] == status and says in error["description"]


def test_a_revoked_key_is_refused_and_changes_nothing(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    number = post(client, api_key).get_json()[0]["service_request_id"]
    with transaction(service.sessions) as s:
        assert revoke_key(s, "district-a") and not revoke_key(s, "no-such-key")
    refused = post(client, api_key, **{"attribute[external_id]": "EXT-9"})
    update = client.post(f"{BASE}/servicerequestupdates.json", data={
        "api_key": api_key, "service_request_id": number, "update_id": "U9", "status": "OPEN",
        "description": "撤销后的更新", "updated_datetime": "2026-11-22T10:00:00+08:00"})
    for answer in (refused, update):
        assert answer.status_code == 403
        assert check("errors", answer.get_json()) == [{"code": 403, "description": "api_key is invalid or revoked"}]
    with service.sessions() as s:
        [case] = s.scalars(select(Case)).all()
        assert case.number == number and not [e for e in case.events if e.action == "open311_update"]


def test_batch_key_gets_a_token_that_resolves(client, batch_key) -> None:  # type: ignore[no-untyped-def]
    [receipt] = check("post_response", post(client, batch_key).get_json())
    assert set(receipt) == {"token"}
    [resolved] = check("tokens", client.get(f"{BASE}/tokens/{receipt['token']}.json").get_json())
    assert resolved["token"] == receipt["token"] and resolved["service_request_id"]
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404


def test_get_requests_filters(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    numbers = [post(client, api_key).get_json()[0]["service_request_id"] for _ in range(3)]
    post(client, api_key, service_code="E0101")
    with transaction(service.sessions) as s:
        case = s.scalars(select(Case).where(Case.number == numbers[0])).one()
        case.transition(CaseStatus.REJECTED, make_user(s, Role.REVIEWER), note="重复案件")
    get = lambda q: check("requests", client.get(f"{BASE}/requests.json?{q}").get_json())  # noqa: E731
    assert len(get("")) == 4
    assert {i["service_request_id"] for i in get(f"service_request_id={numbers[1]},{numbers[2]}")} == set(numbers[1:])
    assert len(get("service_code=E0101")) == 1 and len(get("service_code=E0101,E0102")) == 4
    [closed] = get("status=closed")
    assert closed["service_request_id"] == numbers[0] and closed["status_notes"] == "不予受理"
    assert len(get("status=open")) == 3 and len(get("status=open,closed")) == 4
    assert get("start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z") == []
    too_long = client.get(f"{BASE}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z")
    assert too_long.status_code == 400 and check("errors", too_long.get_json())
    bad = client.get(f"{BASE}/requests.json?start_date=yesterday")
    assert bad.status_code == 400 and "W3C" in bad.get_json()[0]["description"]
    assert client.get(f"{BASE}/requests.json?status=pending").status_code == 400


def test_xml_answers_and_errors(client, api_key) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(f"{BASE}/requests.xml", data={"api_key": api_key, **FORM})
    number = fromstring(answer.data).find("request/service_request_id").text
    request = fromstring(client.get(f"{BASE}/requests/{number}.xml").data).find("request")
    assert request.find("status").text == "open" and request.find("zipcode").text is None
    error = client.post(f"{BASE}/requests.xml", data={**FORM})
    assert error.status_code == 403 and fromstring(error.data).find("error/code").text == "403"
    assert client.get(f"{BASE}/services.csv").status_code == 404


def test_updates_are_recorded_once_per_update_id(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    number = post(client, api_key).get_json()[0]["service_request_id"]
    form = {"api_key": api_key, "service_request_id": number, "update_id": "U1", "status": "OPEN",
            "description": "整改完成", "updated_datetime": "2026-11-22T10:00:00+08:00"}
    first = client.post(f"{BASE}/servicerequestupdates.json", data=form)
    again = client.post(f"{BASE}/servicerequestupdates.json", data=form)
    assert check("updates_response", first.get_json()) == again.get_json()
    with service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert [e.note for e in case.events if e.action == "open311_update"] == ["整改完成"]
    missing = client.post(f"{BASE}/servicerequestupdates.json", data={**form, "service_request_id": "0"})
    assert missing.status_code == 404


def test_media_url_is_a_link_to_a_passed_photo_only(client, service, api_key, config) -> None:  # type: ignore[no-untyped-def]
    number = post(client, api_key).get_json()[0]["service_request_id"]
    (config.photo_dir / "a.jpg").write_bytes(b"\xff\xd8jpeg")
    with transaction(service.sessions) as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        s.add(Photo(case_id=case.id, role=PhotoRole.RECTIFICATION, status=PhotoStatus.STORED, storage_path="a.jpg",
                    sha256="0" * 64, size=6, check_result={"ok": False}))
    assert client.get(f"{BASE}/requests/{number}.json").get_json()[0]["media_url"] is None
    with transaction(service.sessions) as s:
        s.scalars(select(Photo)).one().check_result = {"ok": True}
    assert client.get(f"{BASE}/requests/{number}.json").get_json()[0]["media_url"] is None  # not made yet
    prepare_read_links(service)  # the scheduler's job: reads only look links up
    url = client.get(f"{BASE}/requests/{number}.json").get_json()[0]["media_url"]
    path = url[url.index("/media/"):]
    assert client.get(path).data == b"\xff\xd8jpeg"  # a `private` key: the original
    assert client.get(path[:-2] + "xx").status_code == 403
    assert client.get("/media/").status_code == 404


def test_staff_notes_never_reach_the_public_listing(client, service, api_key) -> None:  # type: ignore[no-untyped-def]
    """A reviewer's reason is an internal note: the public status text comes from a fixed set (#16)."""
    internal = "举报人王某(电话13800001111)系恶意举报"
    number = post(client, api_key).get_json()[0]["service_request_id"]
    with transaction(service.sessions) as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        case.transition(CaseStatus.REJECTED, make_user(s, Role.REVIEWER), note=internal)
    for path in (f"{BASE}/requests.json", f"{BASE}/requests/{number}.json", f"{BASE}/requests.xml"):
        body = client.get(path).get_data(as_text=True)
        assert "13800001111" not in body and "王某" not in body and "不予受理" in body
