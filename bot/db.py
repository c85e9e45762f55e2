"""Engine and session factory. Sessions are opened at the edge (request, job, command) and
committed or rolled back there; models and handlers never commit on their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        # One connection per process: SQLite admits one writer at a time anyway, and threads queued
        # on the pool wake as soon as it is free, where threads racing for the file lock would sleep
        # in SQLite's busy handler (up to 100 ms a round) and ruin the webhook's latency.
        engine = create_engine(
            database_url, pool_size=1, max_overflow=0, pool_timeout=60,
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=5, max_overflow=5)


AUTOCHECKPOINT_PAGES = 20_000  # 4 KiB pages: ~80 MiB of WAL


def checkpoint_wal(engine: Engine) -> None:
    """Copy the SQLite WAL back into the database without blocking writers (no-op elsewhere).

    PASSIVE never waits for readers or writers; what it cannot copy now, the next call does.
    """
    if engine.dialect.name != "sqlite":
        return
    # The raw connection: SQLAlchemy would open a transaction first, and a checkpoint cannot run inside one.
    connection = engine.raw_connection()
    try:
        connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let pysqlite leave transactions to us (see _sqlite_begin_immediate); WAL lets readers
    # go on while one process writes.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # SQLite checkpoints the WAL inside whichever commit pushes it past this many pages, so with the
    # default (1000) every few hundred webhooks one waits for a checkpoint. The worker checkpoints
    # instead (checkpoint_wal); this high mark only matters when no worker runs for a long time.
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
    # A deferred transaction that reads and then writes fails with "database is locked" when
    # another process wrote in between; taking the write lock at BEGIN makes writers queue instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
