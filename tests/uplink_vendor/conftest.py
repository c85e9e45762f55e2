"""Fixtures: the vendor stand-in, and a Service that files accepted cases with it through the mapping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.service import Service
from tests.uplink.helpers import close_and_empty, uplink_config
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
        close_and_empty(service)
