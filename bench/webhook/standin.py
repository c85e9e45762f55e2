"""The stand-in WeChat API and photo host in a process of its own, for the benchmark.

It stands for WeChat's servers, which run on other machines. In the load generator's process (the default,
`standin_in_thread`) its threads serving 100 photo downloads a second share the interpreter lock with the
generator's; in a process of its own it takes CPU from the server instead. Three same-run A/Bs on a busy
machine showed no consistent difference (bench/RESULTS.md, "webhook A/B: standin"). Real HTTP on loopback
either way; tests keep `bot.simulator.api.running_api`. The child leaves when its standard input closes.

`python -m bench.webhook.standin PHOTO`: serves, hosts tests.photos' PHOTO, prints one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bot.simulator.api import FakeWeChatAPI, running_api


@dataclass(frozen=True)
class StandIn:
    """What the bench needs of a stand-in, wherever it runs: its address, credentials and hosted photo."""

    base_url: str
    app_id: str
    app_secret: str
    pic: tuple[str, str]  # (PicUrl, MediaId)


@contextmanager
def standin_in_thread(photo_name: str) -> Iterator[StandIn]:
    """In this process, as the bench ran it before (for A/B runs)."""
    from tests.photos import photo

    with running_api() as api:
        yield _described(api, api.add_media(photo(photo_name)))


@contextmanager
def standin_process(photo_name: str) -> Iterator[StandIn]:
    process = subprocess.Popen([sys.executable, "-m", "bench.webhook.standin", photo_name],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdin is not None and process.stdout is not None
    try:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the stand-in process exited with {process.wait(timeout=10)} before serving")
        described = json.loads(line)
        yield StandIn(described["base_url"], described["app_id"], described["app_secret"], tuple(described["pic"]))
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _described(api: FakeWeChatAPI, pic: tuple[str, str]) -> StandIn:
    return StandIn(api.base_url, api.app_id, api.app_secret, pic)


def main() -> None:
    from tests.photos import photo

    with running_api() as api:
        print(json.dumps(_described(api, api.add_media(photo(sys.argv[1]))).__dict__), flush=True)
        sys.stdin.read()  # until the bench closes it or dies


if __name__ == "__main__":
    main()
