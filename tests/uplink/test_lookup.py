"""The "already on the platform?" search reads past the first page of a server that cuts its answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request

from bot.config import PlatformConfig
from bot.open311.formats import parse_w3, w3
from bot.simulator.serving import serving
from bot.uplink.client import Open311Client
from bot.uplink.lookup import find_request

START = datetime(2026, 11, 1, tzinfo=UTC)


def paging_peer(total: int, page: int, newest_first: bool) -> tuple[Flask, list[int]]:
    """A GeoReport server with `total` requests an hour apart that answers at most `page` per call."""
    calls: list[int] = []
    items = [{"service_request_id": f"R{n}", "service_code": "E0102", "description": f"案件 2026110100{n:03d}",
              "requested_datetime": w3(START + timedelta(hours=n))} for n in range(total)]
    peer = Flask("paging-peer")

    @peer.get("/v2/requests.json")
    def requests():  # type: ignore[no-untyped-def]
        start, end = parse_w3(request.args["start_date"]), parse_w3(request.args["end_date"])
        inside = [i for i in items if start <= parse_w3(i["requested_datetime"]) <= end]
        calls.append(len(inside))
        return (inside[::-1] if newest_first else inside)[:page]

    return peer, calls


@pytest.mark.parametrize("newest_first", [True, False])
@pytest.mark.parametrize(("wanted", "found"), [(5, "R5"), (150, "R150"), (299, "R299"), (400, None)])
def test_every_page_is_searched(newest_first: bool, wanted: int, found: str | None) -> None:
    peer, calls = paging_peer(total=300, page=100, newest_first=newest_first)
    with serving(peer) as base, Open311Client(PlatformConfig(open311_url=f"{base}/v2", api_key="k")) as client:
        answer = find_request(client, "E0102", START, START + timedelta(days=30),
                              lambda item: f"2026110100{wanted:03d}" in item["description"])
    assert answer == found
    assert len(calls) <= 4  # three pages of 100, then an answer that is not full
