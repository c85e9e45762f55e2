"""One HTTP client per running service for each uplink, so connections to the platform are reused
across jobs (a new client per job would pay the TLS setup every time)."""

from __future__ import annotations

import threading

import httpx

from bot.service import Service
from bot.uplink.client import Open311Client
from bot.uplink.vendor.client import VendorClient
from bot.uplink.vendor.mapping import load_mapping

_lock = threading.Lock()
_ATTR = "_uplink_clients"


def open311_client(service: Service) -> Open311Client:
    return _cached(service, "open311", lambda: Open311Client(service.config.platform))


def vendor_client(service: Service) -> VendorClient:
    platform = service.config.platform
    return _cached(service, "vendor", lambda: VendorClient(
        load_mapping(platform.vendor_mapping), platform.vendor_url, platform.vendor_app_key,
        platform.vendor_secret, platform.timeout_seconds))


def webhook_http(service: Service) -> httpx.Client:
    timeout = httpx.Timeout(service.config.platform.timeout_seconds, connect=5.0)
    return _cached(service, "webhook", lambda: httpx.Client(timeout=timeout))


def _cached(service: Service, name: str, build):  # type: ignore[no-untyped-def]
    with _lock:
        clients = service.__dict__.setdefault(_ATTR, {})
        if name not in clients:
            clients[name] = build()
        return clients[name]
