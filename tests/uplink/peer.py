"""A GeoReport v2 platform that behaves like the third-party servers met in the field (a Django one), on
127.0.0.1: what the spec leaves open, it does its own way.

- no discovery document, no servicerequestupdates (404), no tokens/ endpoint (404): all with Django
  REST framework's {"detail": "Not found."};
- errors as {code, detail}; an unknown api_key is 403 {"code": "permission_denied", …};
- it reads `address`, not the spec's `address_string`: a request with neither coordinates nor
  `address` crashes it (500, Django's HTML error page) and nothing is recorded;
- `crash_codes`: requests of those services crash it every time, whatever we send;
- POST answers a token, never the id (the request is listed at once, with its id);
- requests.json answers at most 100 requests, newest first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.open311.formats import parse_w3
from tests.uplink.standin import Html, StandIn

PAGE = 100
NOT_FOUND = {"detail": "Not found."}
CRASH = Html("<!doctype html><html lang=\"en\"><head><title>Server Error (500)</title></head>"
             "<body><h1>Server Error (500)</h1><p></p></body></html>")


class PeerStandIn(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.crashes = 0  # 500s answered to POSTs
        self.crash_codes: set[str] = set()  # service codes whose requests always crash it (a bad field of ours)
        self.listing_reads = 0
        self.clock_step = 0.0  # > 0: the n-th request is stamped n steps after the first (a steady stream)
        self._first_stamp: datetime | None = None

    def get(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if path == "services.json":
            return super().get(path, query)
        if path == "requests.json":
            with self.lock:
                self.listing_reads += 1
            return 200, self.listing(query)
        return 404, NOT_FOUND

    def post_update(self, form: dict[str, str]) -> tuple[int, Any]:
        return 404, NOT_FOUND

    def create(self, form: dict[str, str], files: dict[str, bytes] | None = None) -> tuple[int, Any, bool]:
        if form.get("api_key") != self.api_key:
            with self.lock:
                self.posts += 1
            return 403, {"code": "permission_denied", "detail": "Invalid api_key."}, False
        if (not form.get("lat") and not form.get("address")) or form.get("service_code") in self.crash_codes:
            with self.lock:
                self.posts += 1
                self.crashes += 1
            return 500, CRASH, False
        if form.get("service_code") in self.faults.reject_codes:
            with self.lock:
                self.posts += 1
            return 400, {"code": "invalid", "detail": f"Unknown service_code '{form['service_code']}'"}, False
        status, body, drop = super().create({**form, "address_string": form.get("address", "")}, files)
        if status != 200:
            return status, body, drop
        request_id = body[0]["service_request_id"]
        if self.clock_step:
            with self.lock:
                self._first_stamp = self._first_stamp or datetime.now(UTC)
                stamp = self._first_stamp + timedelta(seconds=self.clock_step * (len(self.requests) - 1))
                self.requests[request_id]["requested_datetime"] = stamp.isoformat()
        return 200, [{"token": f"tok-{request_id}", "service_notice": ""}], drop

    def listing(self, query: dict[str, str]) -> list[dict[str, Any]]:
        with self.lock:
            items = list(self.requests.values())
        if query.get("service_request_id"):
            wanted = set(query["service_request_id"].split(","))
            return [r for r in items if r["service_request_id"] in wanted][:PAGE]
        if query.get("service_code"):
            items = [r for r in items if r["service_code"] in query["service_code"].split(",")]
        start, end = _moment(query.get("start_date")), _moment(query.get("end_date"))
        items = [r for r in items if (start is None or _moment(r["requested_datetime"]) >= start)
                 and (end is None or _moment(r["requested_datetime"]) <= end)]
        return sorted(items, key=lambda r: (r["requested_datetime"], int(r["service_request_id"])), reverse=True)[:PAGE]

    def add_old_requests(self, n: int, service_code: str = "G-102", seconds_apart: float = 0.0) -> None:
        """Requests of other systems, filed from now on `seconds_apart` (so, listed newest first, they come
        before ours and push our cases beyond the first page)."""
        now = datetime.now(UTC)
        with self.lock:
            for i in range(n):
                request_id = str(1000 + len(self.requests))
                self.requests[request_id] = {
                    "service_request_id": request_id, "status": "open", "status_notes": None,
                    "service_code": service_code, "description": "其他系统的案件", "lat": "39.9", "long": "116.3",
                    "media_url": None, "address": None, "updated_datetime": None,
                    "requested_datetime": (now + timedelta(seconds=(i + 1) * seconds_apart)).isoformat()}


def _moment(value: str | None) -> datetime | None:
    return parse_w3(value) if value else None
