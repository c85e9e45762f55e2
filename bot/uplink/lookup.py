"""Is this case already on the platform? A search through GET requests.json that does not stop at the
first page.

GeoReport v2 defines no paging: a server answers the requests of a time window up to a limit of its
own (1,000 in the spec's words, 50 or 100 in real servers) and says nothing about the rest. So when
an answer is full enough to be cut, the window is narrowed to the part the answer did not reach,
judged by the requested_datetime of what came back (newest first or oldest first alike), and asked
again, for at most MAX_PAGES answers. Times are narrowed to the second, with a second's overlap, unless the
platform's own times carry fractions of a second: then to its exact times, sent with their fractions (a
batched outbox files hundreds of cases a second, more than a page of 100 within one second).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.open311.formats import parse_w3
from bot.uplink.client import Open311Client

MAX_PAGES = 40
SMALLEST_CUT = 20  # an answer with fewer items is taken as complete: no server pages that small
SAME_SECOND = timedelta(seconds=1)


def find_request(client: Open311Client, service_code: str, start: datetime, end: datetime,
                 matches: Callable[[dict[str, Any]], bool], page_size: int | None = None,
                 max_pages: int = MAX_PAGES) -> str | None:
    """The service_request_id of the first request in [start, end] that `matches`, or None.
    `page_size`: the platform's known page size (capabilities); an answer shorter than it is complete."""
    precise = False
    for _ in range(max_pages):
        items = client.requests(service_code=service_code, start=start, end=end, precise=precise)
        found = [str(item["service_request_id"]) for item in items  # every item shown to `matches`
                 if item.get("service_request_id") and matches(item)]
        if found:
            return found[0]
        times = sorted(t for t in map(_requested, items) if t is not None)
        if len(items) < (page_size or SMALLEST_CUT) or not times:
            return None
        window = (start, end)
        precise = any(t.microsecond for t in times)
        overlap = timedelta(0) if precise else SAME_SECOND
        if times[0] > start + overlap:  # newest first: the older part was cut
            end = times[0] + overlap
        elif times[-1] < end - overlap:  # oldest first: the newer part was cut
            start = times[-1] - overlap
        if (start, end) == window:  # the answer spans the window (or the server ignores it): done
            return None
    return None


def _requested(item: dict[str, Any]) -> datetime | None:
    try:
        return parse_w3(str(item.get("requested_datetime") or ""))
    except ValueError:
        return None
