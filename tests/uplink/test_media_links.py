"""Photo links are minted once per photo and audience and expire; the signing key survives a restart."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot import photostore
from bot.config import Config
from bot.db import transaction
from bot.redaction.links import PRIVATE, NotRedactedYet, link_token, resolve
from bot.redaction.store import make_copy
from bot.uplink.media import photo_url
from bot.uplink.signing import secret_key
from models import Photo, PhotoRole, PhotoStatus, utcnow
from models.photo_links import PhotoRedaction
from tests.factories import make_case
from tests.photos import photo


def test_a_link_is_minted_once_per_photo_and_audience_until_it_nears_expiry(service) -> None:  # type: ignore[no-untyped-def]
    config = service.config
    path, _ = photostore.save(photostore.store_for(config), photo("coffee"), utcnow())
    with transaction(service.sessions) as s:
        stored = Photo(case_id=make_case(s).id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path=path)
        s.add(stored)
        s.flush()
        with pytest.raises(NotRedactedYet):  # no link to the original while the copy is still to be made
            photo_url(s, config, stored)
    make_copy(service, stored.id)
    make_copy(service, stored.id)
    with transaction(service.sessions) as s:
        stored = s.get_one(Photo, stored.id)
        first = photo_url(s, config, stored)
        assert first is not None and first.startswith("/media/")
        assert photo_url(s, config, stored) == first  # the platform's retry gets the same link
        private = link_token(s, config, stored, PRIVATE)
        assert private not in first and link_token(s, config, stored, PRIVATE) == private
        assert len(s.scalars(select(PhotoRedaction)).all()) == 1  # made once
        token = first.rsplit("/", 1)[1]
        assert resolve(s, token, utcnow()) is not None
        lifetime = timedelta(days=config.platform.media_link_days)
        assert resolve(s, token, utcnow() + lifetime + timedelta(seconds=1)) is None  # expired
    with time_machine.travel(utcnow() + lifetime - timedelta(hours=12)):
        with transaction(service.sessions) as s:
            renewed = photo_url(s, config, s.get_one(Photo, stored.id))
    assert renewed != first  # less than a day left: the next one handed out is fresh


def test_an_unreadable_photo_never_leaves(service) -> None:  # type: ignore[no-untyped-def]
    (service.config.photo_dir / "bad.jpg").write_bytes(b"\xff\xd8 not a photo")
    with transaction(service.sessions) as s:
        stored = Photo(case_id=make_case(s).id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path="bad.jpg")
        s.add(stored)
    make_copy(service, stored.id)
    with transaction(service.sessions) as s:
        assert photo_url(s, service.config, s.get_one(Photo, stored.id)) is None


def test_the_generated_key_is_kept_private_and_reused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path)})
    first = secret_key(config)
    assert len(first) >= 64 and secret_key(Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path)})) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert secret_key(Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_SECRET_KEY": "x"})) == "x"
