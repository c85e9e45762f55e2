"""Behind nginx (CHENGGUAN_PROXIES=1) per-address limits count the client's address from X-Forwarded-For;
without a proxy the header is ignored, so a client cannot escape a limit by inventing addresses."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from bot.app import create_app
from bot.config import Config, ConfigError
from bot.service import Service

LISTING = "/open311/v2/requests.json"
NGINX = {"REMOTE_ADDR": "10.0.0.2"}


@pytest.fixture
def client_for(database_url, tmp_path) -> Iterator[Callable[[str], FlaskClient]]:  # type: ignore[no-untyped-def]
    services: list[Service] = []

    def make(proxies: str) -> FlaskClient:
        services.append(Service.build(Config.from_env({
            "DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / f"data{len(services)}"),
            "CHENGGUAN_OPEN311_READ_LIMIT": "2/minute", "CHENGGUAN_PROXIES": proxies,
            "CHENGGUAN_OPEN311_PUBLIC_READ": "1"})))  # anonymous reads, counted per client address
        return create_app(service=services[-1]).test_client()
    yield make
    for service in services:
        service.dispose()


def reads(client: FlaskClient, forwarded_for: str, count: int) -> list[int]:
    return [client.get(LISTING, headers={"X-Forwarded-For": forwarded_for}, environ_base=NGINX).status_code
            for _ in range(count)]


def test_behind_nginx_each_client_has_its_own_budget(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("1")
    assert reads(client, "203.0.113.7", 3) == [200, 200, 429]
    assert reads(client, "198.51.100.4", 2) == [200, 200]  # another resident's phone, same nginx
    assert reads(client, "1.2.3.4, 203.0.113.7", 1) == [429]  # only the address nginx appended counts


def test_without_a_proxy_the_header_is_not_believed(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("0")
    assert reads(client, "203.0.113.7", 2) == [200, 200]
    assert reads(client, "198.51.100.4", 1) == [429]  # the same caller, whatever it claims


def test_a_bad_proxy_count_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="CHENGGUAN_PROXIES='yes'.*nginx 一层: 1"):
        Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_PROXIES": "yes"})
