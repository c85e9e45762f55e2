"""Chat fixtures: simulated WeChat users sending real signed (and encrypted) XML to the app, the
stand-in WeChat API recording what the service pushes back, and the worker run on demand."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.config import Config
from bot.jobs import job_handlers
from bot.service import Service
from bot.simulator.api import FakeWeChatAPI, running_api
from bot.simulator.user import WeChatUser
from bot.worker import Worker

TOKEN = "test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
_openids = itertools.count(1)


def mp_env(api: FakeWeChatAPI, database_url: str, data_dir: Path, *, safe: bool = False) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "CHENGGUAN_DATA_DIR": str(data_dir),
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": api.app_id,
        "WECHAT_APP_SECRET": api.app_secret,
        "WECHAT_ENCODING_AES_KEY": AES_KEY if safe else "",
        "WECHAT_API_BASE": api.base_url,
    }


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChatAPI]:
    with running_api() as api:
        yield api


@pytest.fixture(params=["plain", "safe"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def mp_service(wechat_api: FakeWeChatAPI, database_url: str, tmp_path: Path, service: Service) -> Service:
    """`service` (which empties the tables afterwards) with the Official Account configured (plain mode)."""
    service.config = Config.from_env(mp_env(wechat_api, database_url, tmp_path / "data"))
    service.config.ensure_dirs()
    return service


@pytest.fixture
def http(mp_service: Service) -> httpx.Client:
    """HTTP to the app in this process (WSGI), so a test can also run the worker in between."""
    return httpx.Client(transport=httpx.WSGITransport(app=create_app(service=mp_service)), base_url="http://app")


@pytest.fixture
def new_user(http: httpx.Client, mp_service: Service) -> Callable[..., WeChatUser]:
    def make(openid: str | None = None) -> WeChatUser:
        return WeChatUser("http://app", TOKEN, openid or f"o_resident_{next(_openids)}", http=http)
    return make


@pytest.fixture
def run_worker(mp_service: Service) -> Callable[[], int]:
    worker = Worker(mp_service, job_handlers())
    return worker.run_until_idle


def count(service: Service, model: type) -> int:
    with service.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)
