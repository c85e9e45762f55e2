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
from bot.simulator.user import WeChatUser, WeComUser
from bot.worker import Worker
from models import Role

TOKEN = "test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
WECOM_TOKEN = "wecom-test-token"
WECOM_AES_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
AGENT_ID = "1000002"
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
        "WECOM_CORP_ID": api.corp_id,
        "WECOM_SECRET": api.corp_secret,
        "WECOM_AGENT_ID": api.agent_id,
        "WECOM_TOKEN": WECOM_TOKEN,
        "WECOM_ENCODING_AES_KEY": WECOM_AES_KEY,
        "WECOM_API_BASE": api.base_url,
        "WECOM_OAUTH_BASE": api.base_url,  # the stand-in serves 网页授权 and 扫码登录 too
        "WECOM_LOGIN_BASE": api.base_url,
        "CHENGGUAN_PHOTO_HOSTS": api_host(api),  # the stand-in hosts the PicUrls
    }


def api_host(api: FakeWeChatAPI) -> str:
    return api.base_url.removeprefix("http://")


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
def new_user(http: httpx.Client, mp_service: Service, wechat_api: FakeWeChatAPI) -> Callable[..., WeChatUser]:
    def make(openid: str | None = None) -> WeChatUser:
        return WeChatUser("http://app", TOKEN, openid or f"o_resident_{next(_openids)}", http=http,
                          on_send=wechat_api.user_wrote)
    return make


@pytest.fixture
def new_staff(http: httpx.Client, mp_service: Service, wechat_api: FakeWeChatAPI) -> Callable[..., WeComUser]:
    """A staff member created by an admin and bound in WeCom with their invite code."""
    from bot.db import transaction
    from models import InviteCode, User

    def make(role: Role, name: str = "", street_id: int | None = None, unit_id: int | None = None) -> WeComUser:
        with transaction(mp_service.sessions) as s:
            user = User(name=name or f"{role.label}{next(_openids)}", role=role, street_id=street_id, unit_id=unit_id)
            s.add(user)
            s.flush()
            invite, code = InviteCode.issue(user.id)
            s.add(invite)
        member = WeComUser("http://app", WECOM_TOKEN, WECOM_AES_KEY, wechat_api.corp_id, f"staff{next(_openids)}",
                           agent_id=AGENT_ID, http=http)
        assert "绑定成功" in member.send_text(f"绑定 {code}").text
        return member
    return make


@pytest.fixture
def run_worker(mp_service: Service) -> Callable[[], int]:
    worker = Worker(mp_service, job_handlers())
    return worker.run_until_idle


def count(service: Service, model: type) -> int:
    with service.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)
