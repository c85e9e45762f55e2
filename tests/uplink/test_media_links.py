"""Signed photo links expire, are tied to our key, and the key survives a restart."""

from __future__ import annotations

import stat
import time

import itsdangerous

from bot.config import Config
from bot.uplink.media import media_url, photo_id_from
from bot.uplink.signing import secret_key


def test_a_link_names_its_photo_until_it_expires(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_MEDIA_LINK_DAYS": "2",
                              "CHENGGUAN_PUBLIC_URL": "https://cg.example.gov.cn"})
    url = media_url(config, 42)
    assert url.startswith("https://cg.example.gov.cn/media/")
    assert photo_id_from(config, url.rsplit("/", 1)[1]) == 42
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3 * 86400)
    old = media_url(config, 42).rsplit("/", 1)[1]
    monkeypatch.undo()
    assert photo_id_from(config, old) is None
    other = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path / "other")})
    assert photo_id_from(other, url.rsplit("/", 1)[1]) is None


def test_the_generated_key_is_kept_private_and_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path)})
    first = secret_key(config)
    assert len(first) >= 64 and secret_key(Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path)})) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert secret_key(Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_SECRET_KEY": "x"})) == "x"
