"""Migrations build the schema from nothing, and the schema they build is the one the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bot.migrate import pending, upgrade
from models import Base
from models.invites import hash_code


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


def test_invite_codes_issued_before_hashing_still_bind_and_are_no_longer_stored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006_merge")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, name, role, road, active, created_at) "
                                "VALUES (1, '王五', 'officer', '', 1, '2026-11-20 00:00:00')"))
        connection.execute(text("INSERT INTO invite_codes (code, user_id, expires_at, created_at) "
                                "VALUES ('7K3M9QX2', 1, '2099-01-01 00:00:00', '2026-11-20 00:00:00')"))
    upgrade(url)
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("invite_codes")}
        stored = connection.execute(text("SELECT code_hash FROM invite_codes")).scalar_one()
    engine.dispose()
    assert "code" not in columns and stored == hash_code("7k3m9qx2 ") and "7K3M9QX2" not in stored
