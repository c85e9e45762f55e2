"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
CHENGGUAN_TEST_DATABASE_URL points at a server), a Service on it, and a clean slate per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from bot.config import Config
from bot.service import Service
from models import Base, workdays
from tests.databases import fresh_database

REPO = Path(__file__).resolve().parent.parent


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL' if os.environ.get('CHENGGUAN_TEST_DATABASE_URL') else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A migrated, empty database for this test run."""
    with fresh_database(os.environ.get("CHENGGUAN_TEST_DATABASE_URL")) as url:
        yield url


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
    service.dispose()


@pytest.fixture
def session(service: Service):  # type: ignore[no-untyped-def]
    with service.sessions() as session:
        yield session
        session.rollback()


@pytest.fixture(autouse=True)
def _no_imported_schedules_between_tests() -> Iterator[None]:
    """Holiday schedules a test imported or primed must not leak into the next test."""
    yield
    workdays.imported.install(None)


@pytest.fixture
def official_until_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the calendar data: chinesecalendar knows the years up to 2026 and none after, whatever
    release is installed, so tests of the provisional calendar hold when a release adds 2027."""
    monkeypatch.setattr(workdays, "chinesecalendar_knows", lambda year: year <= 2026)


pytest_plugins = ["tests.chat", "tests.secretscan"]
