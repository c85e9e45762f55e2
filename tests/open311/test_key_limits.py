"""One api key cannot flood us: a rate of POSTs and a number of cases a day per key, counted in the
database (every process agrees), answered 429 with Retry-After and an Open311 error past either."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.config import Config
from bot.db import transaction
from bot.open311.keys import create_key
from bot.service import Service
from models import Case
from tests.open311.conftest import check

BASE = "/open311/v2"
FORM = {"service_code": "E0102", "lat": "39.9087", "long": "116.3975", "address_string": "长安街1号",
        "description": "路口有一堆生活垃圾"}


@pytest.fixture
def limited(database_url, tmp_path):  # type: ignore[no-untyped-def]
    """Two web processes' apps on one database, with small per-key limits."""
    services = []

    def make(**env: str):  # type: ignore[no-untyped-def]
        config = Config.from_env({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "d"), **env})
        services.append(Service.build(config))
        return create_app(service=services[-1]).test_client()
    yield make
    for service in services:
        service.dispose()


def cases(service) -> int:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.scalar(select(func.count(Case.id)))


def test_posts_past_the_key_rate_get_429_and_change_nothing(limited, service, api_key) -> None:  # type: ignore[no-untyped-def]
    client = limited(CHENGGUAN_OPEN311_KEY_LIMIT="3/minute")
    with transaction(service.sessions) as s:
        other_key = create_key(s, "district-c")
    for _ in range(3):
        assert client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM}).status_code == 200
    refused = client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    [error] = check("errors", refused.get_json())
    assert error["code"] == 429 and "3/minute" in error["description"] and "提交过于频繁" in error["description"]
    update = client.post(f"{BASE}/servicerequestupdates.json",
                         data={"api_key": api_key, "service_request_id": "x", "update_id": "u1"})
    assert update.status_code == 429  # updates count too
    assert cases(service) == 3
    assert client.post(f"{BASE}/requests.json", data={"api_key": other_key, **FORM}).status_code == 200


def test_the_daily_quota_holds_across_processes(limited, service, api_key) -> None:  # type: ignore[no-untyped-def]
    first, second = limited(CHENGGUAN_OPEN311_KEY_DAILY="2"), limited(CHENGGUAN_OPEN311_KEY_DAILY="2")
    receipt = first.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM, "attribute[external_id]": "A"})
    assert second.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM}).status_code == 200
    refused = first.post(f"{BASE}/requests.xml", data={"api_key": api_key, **FORM})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 86400
    assert "今日提交已达上限 2 件" in refused.data.decode() and "retry tomorrow" in refused.data.decode()
    assert second.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM}).status_code == 429
    replay = second.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM, "attribute[external_id]": "A"})
    assert replay.get_json() == receipt.get_json()  # a retry of a filed case is not a new case
    assert cases(service) == 2
