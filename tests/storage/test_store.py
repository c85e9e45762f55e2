"""The photo store's contract, on both backends: what is saved reads back byte for byte, a key names
one content, a missing or crafted key is 'missing', and a store that is down says so without secrets."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from bot.config import Config, ConfigError
from bot.photostore import PhotoMissing, StoreUnavailable, save, store_for
from bot.redact import install_log_redaction, redact
from models import utcnow
from tests.photos import photo
from tests.staff.scenario import PROBLEM
from tests.storage.conftest import S3_SECRET, s3_env


def test_a_saved_photo_reads_back_and_is_named_by_its_content(config: Config) -> None:
    store, data = store_for(config), photo(PROBLEM)
    key, digest = save(store, data, utcnow())
    assert digest == hashlib.sha256(data).hexdigest() and key.endswith(f"/{digest}.jpg")
    assert store.get(key) == data
    assert save(store, data, utcnow()) == (key, digest)  # again: same key, nothing new
    store.delete(key)
    with pytest.raises(PhotoMissing):
        store.get(key)
    store.delete(key)  # already gone: no error


@pytest.mark.parametrize("key", ["../secret_key", "/etc/passwd", "2026/../../x.jpg", "a//b.jpg", "", "a\\..\\b"])
def test_a_key_that_leads_elsewhere_is_missing(config: Config, key: str) -> None:
    with pytest.raises(PhotoMissing):
        store_for(config).get(key)


def test_the_s3_store_keeps_photos_in_the_bucket_not_on_this_host(s3_store_env: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path / "data"), **s3_store_env})
    store = store_for(config)
    key, _ = save(store, photo(PROBLEM), utcnow())
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    assert store.describe() == f"{s3_store_env['CHENGGUAN_PHOTO_STORE']}/ ({s3_store_env['CHENGGUAN_S3_ENDPOINT']})"
    link = store.link(key, 60)
    assert link and S3_SECRET not in link
    assert httpx.get(link, timeout=10).content == photo(PROBLEM)  # presigned: anyone may GET it, for a while
    assert httpx.get(link.split("?")[0], timeout=10).status_code == 403  # the bucket itself is not public


def test_a_store_that_is_down_is_unavailable_and_says_so_without_the_secret(tmp_path, unused_port: int) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path / "data"),
                              **s3_env(f"http://127.0.0.1:{unused_port}", "photos")})
    with pytest.raises(StoreUnavailable) as caught:
        save(store_for(config), photo(PROBLEM), utcnow())
    assert "对象存储无法访问" in str(caught.value) and S3_SECRET not in str(caught.value)


@pytest.mark.parametrize("env, fix", [
    ({"CHENGGUAN_PHOTO_STORE": "/srv/photos"}, "s3://桶名/前缀"),
    ({"CHENGGUAN_PHOTO_STORE": "s3://"}, "s3://桶名/前缀"),
    ({"CHENGGUAN_PHOTO_STORE": "s3://b", "CHENGGUAN_S3_ENDPOINT": "minio:9000"}, "https://"),
    ({"CHENGGUAN_PHOTO_STORE": "s3://b", "CHENGGUAN_S3_ADDRESSING": "dns"}, "path (MinIO)"),
    ({"CHENGGUAN_PHOTO_STORE": "s3://b", "CHENGGUAN_S3_ACCESS_KEY_ID": "k"}, "同时设置"),
    ({"CHENGGUAN_PHOTO_LINKS": "presigned"}, "需要对象存储"),
    ({"CHENGGUAN_PHOTO_STORE": "s3://b", "CHENGGUAN_PHOTO_LINKS": "public"}, "stream 或 presigned"),
])
def test_a_bad_store_setting_stops_with_one_line_naming_the_fix(tmp_path, env: dict[str, str], fix: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), **env})
    assert fix in str(caught.value) and "\n" not in str(caught.value)


def test_the_usual_aws_variables_work_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_PHOTO_STORE": "s3://b/p/",
                              "AWS_ENDPOINT_URL": "https://oss-cn-hangzhou.aliyuncs.com", "AWS_REGION": "oss-cn-hangzhou",
                              "AWS_ACCESS_KEY_ID": "ak", "AWS_SECRET_ACCESS_KEY": "sk"})
    s3 = config.photo_store.s3
    assert s3 is not None and (s3.bucket, s3.prefix, s3.region) == ("b", "p/", "oss-cn-hangzhou")
    assert (s3.access_key, s3.secret_key) == ("ak", "sk") and "sk" not in repr(config)


def test_the_bucket_secret_is_masked_in_log_lines(s3_store_env: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), **s3_store_env})
    install_log_redaction(config)
    assert redact(f"signing with {S3_SECRET} failed") == "signing with *** failed"
