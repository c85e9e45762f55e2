"""Finding out what a GeoReport v2 platform supports, without filing anything on it.

- the discovery document (discovery.json beside the endpoint, or one level up, where servers put it):
  its `max_requests` (FixMyStreet's extension) is the page size of requests.json;
- updates: GET servicerequestupdates.json (FixMyStreet's extension; no part of GeoReport v2). A 404
  or 501 says the platform has none; 405 says the address exists for POST only, as on our own server;
- tokens: GET tokens/<an unknown token>.json. A server with tokens answers 404 naming the token; one
  without answers its generic "not found" (or serves batch services, which need tokens);
- page size, when no document says it: a full first answer of requests.json with a round count.
`address` vs `address_string` and media upload cannot be seen without filing a request: the push jobs
learn `address` from the platform's answers (bot.uplink.server_errors); uploads a person sets
(`chengguan platform capabilities --set media=upload`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.open311.formats import w3
from bot.uplink.capabilities import NO, UNKNOWN, YES
from bot.uplink.client import Open311Client, Probe
from models.base import utcnow

ABSENT = frozenset({404, 501})
ROUND_PAGE_SIZES = frozenset({20, 25, 50, 100, 200, 250, 500, 1000})
PROBE_TOKEN = "chengguan-capability-probe"


def discover(client: Open311Client, services: list[dict[str, Any]]) -> dict[str, Any]:
    """Capability fields found (None: this probe could not tell)."""
    document = _discovery_document(client)
    page_size = _max_requests(document) if document else None
    return {
        "discovery": document is not None,
        "updates": _updates(client),
        "tokens": YES if any(s.get("type") == "batch" for s in services) else _tokens(client),
        "page_size": page_size or _observed_page_size(client),
    }


def _discovery_document(client: Open311Client) -> dict[str, Any] | None:
    base = client.config.open311_url
    for url in (f"{base}/discovery.json", f"{base.rsplit('/', 1)[0]}/discovery.json"):
        probe = client.probe(url, absolute=True)
        if probe.status == 200 and isinstance(probe.body, dict) and "endpoints" in probe.body:
            return probe.body
    return None


def _max_requests(document: dict[str, Any]) -> int | None:
    value = str(document.get("max_requests") or "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _updates(client: Open311Client) -> str:
    now = utcnow()
    probe = client.probe("servicerequestupdates.json",
                         {"start_date": w3(now - timedelta(hours=1)) or "", "end_date": w3(now) or ""})
    if _silent(probe):
        return UNKNOWN
    return NO if probe.status in ABSENT else YES


def _tokens(client: Open311Client) -> str:
    probe = client.probe(f"tokens/{PROBE_TOKEN}.json")
    if _silent(probe):
        return UNKNOWN
    if probe.status == 404:  # "token … not found" from a server with tokens, a bare "not found" from one without
        return YES if "token" in probe.text.lower() else NO
    return NO if probe.status in ABSENT else YES


def _silent(probe: Probe) -> bool:
    """Down or failing now: the answer says nothing about the endpoint."""
    return probe.status is None or (probe.status >= 500 and probe.status not in ABSENT)


def _observed_page_size(client: Open311Client) -> int | None:
    probe = client.probe("requests.json")
    items = probe.body if isinstance(probe.body, list) else None
    return len(items) if probe.status == 200 and items is not None and len(items) in ROUND_PAGE_SIZES else None
