"""A real `chengguan serve` process, driven over HTTP with signed (plain) and encrypted (safe mode)
messages, its worker downloading the photo from the stand-in WeChat API on loopback."""

from __future__ import annotations

import hashlib
import time

import httpx
from sqlalchemy import select

from bot.simulator.server import running_server
from bot.simulator.user import WeChatUser
from models import Case, Photo, PhotoStatus
from tests.chat import AES_KEY, TOKEN, mp_env
from tests.photos import photo
from tests.resident.test_report_flow import EAST_POINT_GCJ, seed_streets


def wait_until(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.1)


def test_report_over_a_running_server(mode, database_url, tmp_path, service, wechat_api) -> None:  # type: ignore[no-untyped-def]
    streets = seed_streets(service)
    safe = mode == "safe"
    env = mp_env(wechat_api, database_url, tmp_path / "data", safe=safe)
    image = photo("rocket")
    with running_server(env, tmp_path / "serve.log") as base:
        resident = WeChatUser(base, TOKEN, f"o_e2e_{mode}", aes_key=AES_KEY if safe else "",
                              app_id=wechat_api.app_id, http=httpx.Client(timeout=10))
        assert "随手拍" in resident.send_event("subscribe").text
        resident.send_image(*wechat_api.add_media(image))
        resident.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口")
        resident.send_text("路口有人占道经营")
        resident.send_text("1")
        reply = resident.send_text("确认")

        def photo_stored() -> bool:
            with service.sessions() as s:
                return s.scalars(select(Photo.status)).one() == PhotoStatus.STORED
        wait_until(photo_stored)  # the embedded worker fetched it, without being asked

    assert "案件编号" in reply.text
    if safe:
        assert "<Encrypt>" in reply.raw and "案件编号" not in reply.raw
    with service.sessions() as s:
        (case,) = s.scalars(select(Case)).all()
        assert case.number in reply.text and case.street_id == streets["east"]
        stored = s.scalars(select(Photo)).one()
        assert stored.case_id == case.id and stored.sha256 == hashlib.sha256(image).hexdigest()
