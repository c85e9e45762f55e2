"""Fixtures for the uplink: a fault-injecting stand-in platform and a Service that pushes to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from bot.service import Service
from models import Base
from tests.uplink.helpers import map_category, uplink_config
from tests.uplink.peer import PeerStandIn
from tests.uplink.standin import StandIn


@pytest.fixture
def standin() -> Iterator[StandIn]:
    platform = StandIn().start()
    yield platform
    platform.stop()


@pytest.fixture
def peer() -> Iterator[PeerStandIn]:
    platform = PeerStandIn().start()
    yield platform
    platform.stop()


@pytest.fixture
def uplink(database_url: str, tmp_path: Path, standin: StandIn) -> Iterator[Service]:
    """A Service whose accept/verify/close steps are pushed to the stand-in over Open311."""
    yield from _pushing_to(standin, database_url, tmp_path)


@pytest.fixture
def peer_uplink(database_url: str, tmp_path: Path, peer: PeerStandIn) -> Iterator[Service]:
    """The same, pushing to the peer-like platform."""
    yield from _pushing_to(peer, database_url, tmp_path)


def _pushing_to(platform: StandIn, database_url: str, tmp_path: Path) -> Iterator[Service]:
    config = uplink_config(database_url, tmp_path / "data", PLATFORM_OPEN311_URL=platform.url,
                           PLATFORM_API_KEY="standin-key", PLATFORM_JURISDICTION_ID="test.gov.cn",
                           PLATFORM_TIMEOUT_SECONDS="2")
    service = Service.build(config)
    map_category(service)
    yield service
    clients = service.__dict__.get("_uplink_clients", {})
    for client in clients.values():
        client.close()
    with service.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    service.engine.dispose()
