"""A chat photo's PicUrl is fetched only from WeChat's media hosts, never through a redirect; a forged
PicUrl pointing elsewhere (an internal address) gets no request at all, and the photo comes through
the media API by MediaId instead."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytest
from flask import Flask, Response, redirect
from PIL import Image
from sqlalchemy import select

from bot.config import Config, ConfigError
from bot.simulator.serving import serving
from bot.tasks.photo_hosts import photo_host_allowed
from models import Photo, PhotoStatus
from tests.chat import api_host


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((64, 48), 40).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Recorder:
    """An 'internal' server that records every request it gets."""

    hits: list[str] = field(default_factory=list)
    port: int = 0

    def app(self) -> Flask:
        app = Flask("recorder")

        @app.route("/<path:path>")
        def anything(path: str) -> Response:
            self.hits.append(path)
            if path == "redirect":
                return redirect(f"http://localhost:{self.port}/secret.jpg")
            return Response(jpeg(), content_type="image/jpeg")

        return app


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    with serving(rec.app(), name="recorder") as base:
        rec.port = int(base.rsplit(":", 1)[1])
        yield rec


def photo_state(service) -> tuple[PhotoStatus, str | None]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        photo = s.scalars(select(Photo)).one()
        return photo.status, photo.error


def test_a_pic_url_on_another_port_is_not_fetched(recorder: Recorder, mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    _, media_id = wechat_api.add_media(jpeg())
    new_user().send_image(f"http://127.0.0.1:{recorder.port}/admin/metadata", media_id)
    run_worker()
    assert recorder.hits == []
    assert photo_state(mp_service)[0] == PhotoStatus.STORED  # through the media API


def test_a_pic_url_under_another_host_name_is_not_fetched(recorder: Recorder, mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    mp_service.config = replace(mp_service.config, photo_hosts=(api_host(wechat_api), f"127.0.0.1:{recorder.port}"))
    _, media_id = wechat_api.add_media(jpeg())
    new_user().send_image(f"http://localhost:{recorder.port}/internal.jpg", media_id)
    run_worker()
    assert recorder.hits == []
    assert photo_state(mp_service)[0] == PhotoStatus.STORED


def test_a_redirect_from_an_allowed_host_is_not_followed(recorder: Recorder, mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    mp_service.config = replace(mp_service.config, photo_hosts=(api_host(wechat_api), f"127.0.0.1:{recorder.port}"))
    _, media_id = wechat_api.add_media(jpeg())
    new_user().send_image(f"http://127.0.0.1:{recorder.port}/redirect", media_id)
    run_worker()
    assert recorder.hits == ["redirect"]  # the redirect's target was never asked for
    assert photo_state(mp_service)[0] == PhotoStatus.STORED


def test_a_forged_pic_url_without_media_id_is_refused_without_a_request(recorder: Recorder, mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_image(f"http://127.0.0.1:{recorder.port}/admin/metadata", "")
    run_worker()
    assert recorder.hits == []
    assert photo_state(mp_service)[0] == PhotoStatus.REJECTED
    (pushed,) = wechat_api.wait_for_message(resident.openid)
    assert "无法使用" in pushed and "请" in pushed


@pytest.mark.parametrize("url, allowed", [
    ("http://mmbiz.qpic.cn/mmbiz_jpg/abc/0", True),
    ("https://wework.qpic.cn/wwpic/123/0", True),
    ("http://qpic.cn/x", True),
    ("http://mmbiz.qpic.cn:8080/x", False),
    ("http://evilqpic.cn/x", False),
    ("http://mmbiz.qpic.cn.evil.example/x", False),
    ("http://mmbiz.qpic.cn@169.254.169.254/latest/meta-data", False),
    ("http://169.254.169.254/latest/meta-data", False),
    ("file:///etc/passwd", False),
    ("gopher://mmbiz.qpic.cn/x", False),
    ("http://mmbiz.qpic.cn:99999/x", False),
])
def test_default_photo_hosts(url: str, allowed: bool) -> None:
    assert photo_host_allowed(url, Config.photo_hosts) is allowed


def test_photo_hosts_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_PHOTO_HOSTS": "mmbiz.qpic.cn, 127.0.0.1:8081"}
    assert Config.from_env(env).photo_hosts == ("mmbiz.qpic.cn", "127.0.0.1:8081")
    with pytest.raises(ConfigError, match="CHENGGUAN_PHOTO_HOSTS"):
        Config.from_env({**env, "CHENGGUAN_PHOTO_HOSTS": "http://mmbiz.qpic.cn/"})
