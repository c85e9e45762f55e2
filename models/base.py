"""Declarative base and the column types every model shares."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

from enum import StrEnum

from sqlalchemy import JSON, DateTime, Enum, Insert, MetaData, String, Table, TypeDecorator
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which stores no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware datetime (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum: type[StrEnum]) -> Enum:
    """A StrEnum column stored as its readable value ("reported"), checked on write."""
    return Enum(
        enum, native_enum=False, length=20, validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


# Constraint names are fixed so Alembic migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow, nullable=False)]
str40 = Annotated[str, 40]
str200 = Annotated[str, 200]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
        str40: String(40),
        str200: String(200),
    }


@cache
def insert_unless_present(table: Table, conflict_columns: tuple[str, ...], dialect: str) -> Insert:
    """INSERT … ON CONFLICT (columns) DO NOTHING for SQLite or PostgreSQL, built once per use.

    One statement where a savepoint and a caught IntegrityError would take three; on PostgreSQL a
    concurrent insert of the same key waits for the other transaction and then inserts nothing.
    """
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))


@cache
def insert_or_update(table: Table, conflict_columns: tuple[str, ...], dialect: str, update: tuple[str, ...]) -> Insert:
    """INSERT … ON CONFLICT (columns) DO UPDATE SET the `update` columns to the new row's values, for SQLite
    or PostgreSQL: one statement where an UPDATE that finds no row, an INSERT and the UPDATE again take three."""
    insert = (sqlite_insert if dialect == "sqlite" else postgresql_insert)(table)
    return insert.on_conflict_do_update(index_elements=list(conflict_columns),
                                        set_={column: insert.excluded[column] for column in update})
