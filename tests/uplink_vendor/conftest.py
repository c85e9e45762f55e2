"""Fixtures: the vendor stand-in, and a Service that files accepted cases with it through the mapping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete

from bot.service import Service
from models import Base
from tests.uplink.helpers import uplink_config
from tests.uplink_vendor.standin import APP_KEY, SECRET, VendorStandIn


@pytest.fixture
def vendor() -> Iterator[VendorStandIn]:
    platform = VendorStandIn().start()
    yield platform
    platform.stop()


@pytest.fixture
def vendor_uplink(database_url: str, tmp_path: Path, vendor: VendorStandIn) -> Iterator[Service]:
    with filing_with(vendor, database_url, tmp_path, SECRET) as service:
        yield service


@contextmanager
def filing_with(vendor: VendorStandIn, database_url: str, tmp_path: Path, secret: str) -> Iterator[Service]:
    """A Service whose accepted cases go to the vendor stand-in; every table emptied afterwards."""
    config = uplink_config(database_url, tmp_path / "data", PLATFORM_VENDOR_URL=vendor.url,
                           PLATFORM_VENDOR_APP_KEY=APP_KEY, PLATFORM_VENDOR_SECRET=secret,
                           PLATFORM_TIMEOUT_SECONDS="2")
    service = Service.build(config)
    try:
        yield service
    finally:
        _empty(service)


def _empty(service: Service) -> None:
    for client in service.__dict__.get("_uplink_clients", {}).values():
        client.close()
    with service.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    service.engine.dispose()
