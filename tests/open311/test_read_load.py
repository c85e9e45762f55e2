"""Anonymous reads against webhooks: a read never waits for the write lock nor holds it, a client
that polls too fast gets 429 with Retry-After, and an unchanged listing is answered 304."""

from __future__ import annotations

import threading
from xml.etree.ElementTree import fromstring

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.app import create_app
from bot.config import Config, ConfigError
from bot.db import make_engine, transaction
from bot.open311 import routes
from bot.open311.throttle import READS_AT_ONCE
from bot.service import Service
from models import Case, CaseStatus, Role
from tests.factories import make_user
from tests.open311.conftest import check

BASE = "/open311/v2"
FORM = {"service_code": "E0102", "lat": "39.9087", "long": "116.3975", "address_string": "长安街1号",
        "description": "路口有一堆生活垃圾"}


def test_a_listing_is_answered_while_another_process_holds_the_write_lock(client, service, api_key,
                                                                          database_url) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM}).status_code == 200
    writer = make_engine(database_url)  # as the worker process would: its own engine on the same file
    answers: list = []
    reader = threading.Thread(target=lambda: answers.append(client.get(f"{BASE}/requests.json")), daemon=True)
    try:
        with writer.begin() as connection:  # BEGIN IMMEDIATE and the lock file, until the block ends
            connection.exec_driver_sql("UPDATE cases SET description = 'being written'")
            reader.start()
            reader.join(timeout=20)  # on main the read queued behind this writer for the lock's 30 s timeout
            assert not reader.is_alive(), "the read waited for the writer"
            connection.exec_driver_sql("UPDATE cases SET description = description")
    finally:
        reader.join(timeout=60)
        writer.dispose()
    [answer] = answers
    assert answer.status_code == 200
    assert [item["description"] for item in answer.get_json()] == ["路口有一堆生活垃圾"] * 3  # the last commit


def test_the_read_path_cannot_write(service) -> None:  # type: ignore[no-untyped-def]
    if service.engine.dialect.name != "sqlite":
        pytest.skip("on a database server reads share the writers' engine; nothing to queue behind")
    with service.reads() as session, pytest.raises(OperationalError, match="readonly"):
        session.connection().exec_driver_sql("DELETE FROM cases")


@pytest.fixture
def limited_client(database_url, tmp_path):  # type: ignore[no-untyped-def]
    config = Config.from_env({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data"),
                              "CHENGGUAN_OPEN311_READ_LIMIT": "3/minute", "CHENGGUAN_OPEN311_PUBLIC_READ": "1"})
    service = Service.build(config)
    yield create_app(service=service).test_client()
    service.dispose()


def test_a_client_that_polls_too_fast_gets_429_with_retry_after(limited_client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert limited_client.get(f"{BASE}/requests.json").status_code == 200
    refused = limited_client.get(f"{BASE}/requests.xml")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert fromstring(refused.data).find("error/code").text == "429"
    [error] = check("errors", limited_client.get(f"{BASE}/services.json").get_json())
    assert "请求过于频繁" in error["description"] and "3/minute" in error["description"]
    other = limited_client.get(f"{BASE}/requests.json", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 200  # counted per client address


def test_an_unchanged_listing_is_304_and_a_change_gives_a_new_etag(client, api_key) -> None:  # type: ignore[no-untyped-def]
    client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM})
    first = client.get(f"{BASE}/requests.json")
    etag = first.headers["ETag"]
    # an answer to a key is for that reader only: never kept by a shared cache (public mode: test_public_read)
    assert first.headers["Cache-Control"] == "private, max-age=10" and first.headers["Last-Modified"]
    assert "X-Api-Key" in first.headers["Vary"]
    again = client.get(f"{BASE}/requests.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM, "description": "又一堆"})
    changed = client.get(f"{BASE}/requests.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and len(changed.get_json()) == 2
    single = client.get(f"{BASE}/requests/{changed.get_json()[0]['service_request_id']}.json")
    assert client.get(single.request.path, headers={"If-None-Match": single.headers["ETag"]}).status_code == 304


def test_a_listing_is_built_once_however_many_clients_poll_it(client, service, api_key, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM})
    builds: list[int] = []
    real = routes.request_items
    monkeypatch.setattr(routes, "request_items", lambda *a: builds.append(1) or real(*a))
    for n in range(5):
        assert client.get(f"{BASE}/requests.json", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code == 200
    assert len(builds) == 1
    with transaction(service.sessions) as s:
        s.scalars(select(Case)).one().transition(CaseStatus.REJECTED, make_user(s, Role.REVIEWER), note="重复")
    [item] = client.get(f"{BASE}/requests.json").get_json()
    assert item["status"] == "closed" and len(builds) == 2
    assert client.get(f"{BASE}/requests.json?status=open").get_json() == [] and len(builds) == 3


@pytest.mark.parametrize("value", ["lots", "0/minute", "-5/second"])
def test_a_bad_read_limit_is_one_clear_config_line(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="CHENGGUAN_OPEN311_READ_LIMIT=.*120/minute"):
        Config.from_env({"CHENGGUAN_OPEN311_READ_LIMIT": value})


def test_reads_beyond_the_few_at_once_are_refused_at_once_not_queued(client) -> None:  # type: ignore[no-untyped-def]
    client.get(f"{BASE}/services.json")  # the app's read guards exist once it has served
    throttle = client.application.extensions["chengguan.open311"].throttle
    for n in range(READS_AT_ONCE):  # as if that many listings were being built right now
        throttle.admit(f"10.0.0.{n}")
    busy = client.get(f"{BASE}/requests.json")
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
    assert "服务器繁忙" in busy.get_json()[0]["description"]
    throttle.done()
    assert client.get(f"{BASE}/requests.json").status_code == 200
    assert client.get(f"{BASE}/requests.json").status_code == 200  # each read gave its place back
