"""What the processes under test share: a PostgreSQL server (a throwaway one started as .ci/start-postgres
does, unless a URL is given) and an S3-compatible object store (moto's server, in a process of its own so
that it does not take the load generator's interpreter lock)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import httpx

from bot.simulator.server import free_port

ROOT = Path(__file__).resolve().parents[2]
S3_KEY, S3_SECRET, S3_REGION = "bench-key", "bench-s3-secret", "us-east-1"


@contextmanager
def postgres_server(url: str) -> Iterator[str]:
    """The given server URL, or a throwaway cluster's (stopped and removed afterwards)."""
    if url:
        yield url
        return
    exports = subprocess.run([str(ROOT / ".ci/start-postgres")], check=True, capture_output=True, text=True).stdout
    values = dict(line.removeprefix("export ").split("=", 1) for line in exports.splitlines() if "=" in line)
    try:
        yield values["CHENGGUAN_TEST_DATABASE_URL"]
    finally:
        subprocess.run([str(ROOT / ".ci/stop-postgres")], env={**os.environ, **values}, check=False)


@contextmanager
def object_store() -> Iterator[str]:
    """The endpoint of an S3 API on loopback."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(endpoint, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION, aws_access_key_id=S3_KEY,
                        aws_secret_access_key=S3_SECRET)


def new_bucket(endpoint: str) -> str:
    name = f"scale-{uuid.uuid4().hex[:8]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def store_env(endpoint: str, bucket: str) -> dict[str, str]:
    """The settings that put a service's photos in the bucket (as in docs/deploy.md, path-style as MinIO)."""
    return {"CHENGGUAN_PHOTO_STORE": f"s3://{bucket}/photos", "CHENGGUAN_S3_ENDPOINT": endpoint,
            "CHENGGUAN_S3_REGION": S3_REGION, "CHENGGUAN_S3_ACCESS_KEY_ID": S3_KEY,
            "CHENGGUAN_S3_SECRET_ACCESS_KEY": S3_SECRET, "CHENGGUAN_S3_ADDRESSING": "path"}


def bucket_keys(endpoint: str, bucket: str) -> set[str]:
    keys: set[str] = set()
    for page in s3_client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys
