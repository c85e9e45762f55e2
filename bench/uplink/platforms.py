"""The local platforms the benchmark pushes to: our own `chengguan serve` in a second process (real
work: a case per request in its own SQLite), and the in-process stand-ins from the tests (no work): the
spec-true one and the peer-like one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.uplink.peer import PeerStandIn
from tests.uplink.standin import StandIn
from tests.uplink_vendor.standin import VendorStandIn


@contextmanager
def our_server(folder: Path) -> Iterator[tuple[str, str]]:
    """(GeoReport base URL, api key) of a fresh `chengguan serve` on loopback."""
    # The key's POST limits (60/minute, 1,000/day by default) would measure the throttle, not the uplink.
    env = {**os.environ, "CHENGGUAN_DATA_DIR": str(folder), "DATABASE_URL": "",
           "CHENGGUAN_OPEN311_KEY_LIMIT": "1000000/minute", "CHENGGUAN_OPEN311_KEY_DAILY": "1000000"}
    for name in ("PLATFORM_OPEN311_URL", "PLATFORM_WEBHOOK_URL"):
        env.pop(name, None)
    key = subprocess.run([sys.executable, "-m", "bot", "platform", "add-key", "bench"], env=env, check=True,
                         capture_output=True, text=True).stdout.split()[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(folder / "serve.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield f"{base}/open311/v2", key
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def filed_on_our_server(url: str, key: str) -> Counter[str]:
    """How often each case number appears in the server's request list (the newest 1000 per call; reading
    takes the api key)."""
    items = httpx.get(f"{url}/requests.json", params={"api_key": key}, timeout=60).json()
    return Counter(_number(i.get("description") or "") for i in items)


@contextmanager
def stand_in(kind: str = "spec") -> Iterator[StandIn | VendorStandIn]:
    """The spec-true stand-in ("spec"), the peer-like one ("peer": tokens only, no updates, 100 per page),
    or the 数字城管-style vendor interface ("vendor": signed JSON, every field checked)."""
    platform = {"peer": PeerStandIn, "vendor": VendorStandIn}.get(kind, StandIn)().start()
    try:
        yield platform
    finally:
        platform.stop()


def filed_on_stand_in(platform: StandIn | VendorStandIn) -> Counter[str]:
    with platform.lock:
        if isinstance(platform, VendorStandIn):
            return Counter(case["sourceCaseNo"] for case in platform.cases.values())
        return Counter(_number(r["description"] or "") for r in platform.requests.values())


def _number(description: str) -> str:
    return description.rsplit("案件编号: ", 1)[-1].strip()
