"""Migrations build the schema from nothing, and the schema they build is the one the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bot.migrate import pending, upgrade
from models import Base


def test_upgrade_from_empty_creates_every_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = create_engine(url)
    assert pending(engine)

    upgrade(url)

    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    assert not pending(engine)
    upgrade(url)  # running it again is harmless


def test_migrated_schema_matches_models(database_url: str) -> None:
    """The test database (SQLite or PostgreSQL) was built by the migrations; no model drift."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; write a migration: {diff}"
