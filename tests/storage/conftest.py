"""The photo store under test: the local folder and a real S3 HTTP API on loopback (moto's server, in a
thread of this process), one fresh bucket per test. `store_env` is the environment that selects a
store; `mp_service` (tests/chat.py) is rebuilt with it, so the chat fixtures run on either store."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from bot.config import Config
from bot.service import Service
from bot.simulator.api import FakeWeChatAPI
from tests.chat import mp_env

S3_SECRET = "test-s3-secret-Zx9"  # moto accepts any key; the tests check it never shows
_buckets = itertools.count(1)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_env(endpoint: str, bucket: str, prefix: str = "photos") -> dict[str, str]:
    return {
        "CHENGGUAN_PHOTO_STORE": f"s3://{bucket}/{prefix}",
        "CHENGGUAN_S3_ENDPOINT": endpoint,
        "CHENGGUAN_S3_REGION": "us-east-1",
        "CHENGGUAN_S3_ACCESS_KEY_ID": "test-key",
        "CHENGGUAN_S3_SECRET_ACCESS_KEY": S3_SECRET,
        "CHENGGUAN_S3_ADDRESSING": "path",  # as for MinIO: the endpoint is an address, not a domain
    }


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    """The test's own look into the bucket, beside the store under test."""
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test-key", aws_secret_access_key=S3_SECRET)


def new_bucket(endpoint: str) -> str:
    name = f"photos-{next(_buckets)}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    return new_bucket(s3_endpoint)


@pytest.fixture
def s3_store_env(s3_endpoint: str, bucket: str) -> dict[str, str]:
    return s3_env(s3_endpoint, bucket)


@pytest.fixture(params=["local", "s3"])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "local":
        return {}
    return dict(request.getfixturevalue("s3_store_env"))


@pytest.fixture
def config(database_url: str, tmp_path: Path, store_env: dict[str, str]) -> Config:
    return Config.from_env({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data"), **store_env})


@pytest.fixture
def mp_service(wechat_api: FakeWeChatAPI, database_url: str, tmp_path: Path, service: Service,
               store_env: dict[str, str]) -> Service:
    service.config = Config.from_env({**mp_env(wechat_api, database_url, tmp_path / "data"), **store_env})
    service.config.ensure_dirs()
    return service


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (a store that is down: connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
