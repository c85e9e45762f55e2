"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
CHENGGUAN_TEST_DATABASE_URL points at a server), a Service on it, and a clean slate per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from bot.config import Config
from bot.migrate import upgrade
from bot.service import Service
from models import Base

REPO = Path(__file__).resolve().parent.parent


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL' if os.environ.get('CHENGGUAN_TEST_DATABASE_URL') else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this test run."""
    server = os.environ.get("CHENGGUAN_TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url
        return
    name = f"chengguan_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    return Config.from_env({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def service(config: Config) -> Iterator[Service]:
    """A Service on the test database; every table is emptied afterwards."""
    service = Service.build(config)
    yield service
    with service.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    service.engine.dispose()


@pytest.fixture
def session(service: Service):  # type: ignore[no-untyped-def]
    with service.sessions() as session:
        yield session
        session.rollback()


pytest_plugins = ["tests.chat"]
