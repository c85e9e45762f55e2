"""Engine and session factory. Sessions are opened at the edge (request, job, command) and
committed or rolled back there; models and handlers never commit on their own."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.writelock import QueuedConnection, WriteLock

BUSY_TIMEOUT_S = 30
SERVER_POOL_SIZE = 5
AUTOCHECKPOINT_PAGES = 20_000  # 4 KiB pages: ~80 MiB of WAL
READ_POOL_SIZE = 4


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        # One connection per process: SQLite admits one writer at a time anyway, and threads queued
        # on the pool wake as soon as it is free, where threads racing for the file lock would sleep
        # in SQLite's busy handler (up to 100 ms a round) and ruin the webhook's latency. Between
        # processes, writers queue on a lock file for the same reason (bot.writelock).
        engine = create_engine(
            database_url, pool_size=1, max_overflow=0, pool_timeout=60,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False, "factory": QueuedConnection},
        )
        database = engine.url.database
        event.listen(engine, "connect", _sqlite_pragmas)
        if database and database != ":memory:" and not database.startswith("file:"):
            lock_path = os.path.abspath(database) + ".writelock"
            event.listen(engine, "connect", lambda dbapi_connection, _record: setattr(
                dbapi_connection, "write_lock", WriteLock(lock_path, BUSY_TIMEOUT_S)))
        _begin_with(engine, _sqlite_begin_immediate)
        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=SERVER_POOL_SIZE, max_overflow=5)


def make_read_engine(database_url: str, engine: Engine) -> Engine:
    """Connections for anonymous reads (the Open311 listing, photo links) that never wait for writers
    nor make them wait.

    On SQLite a read must not go through `engine`: its one connection and every BEGIN IMMEDIATE
    queue behind the write lock, so six clients polling a 1,000-case listing held the webhooks off
    for seconds (issue #12). Here reads get their own small pool, a deferred BEGIN (in WAL mode a
    reader sees the last commit and blocks no one) and query_only, so a read path that tried to
    write would fail instead of taking the lock. A database server already lets readers and
    writers pass each other: there it is `engine` itself.
    """
    if engine.dialect.name != "sqlite":
        return engine
    reads = create_engine(database_url, pool_size=READ_POOL_SIZE, max_overflow=0, pool_timeout=60,
                          connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
    event.listen(reads, "connect", _sqlite_read_pragmas)
    _begin_with(reads, _sqlite_begin_deferred)
    return reads



def webhook_concurrency(engine: Engine) -> int:
    """Webhooks one process should handle at once.

    On SQLite one: the database takes one writer and Python runs one thread at a time, and every
    SQLite call hands the interpreter lock to another thread. With eight request threads
    interleaving, a backlog doubled the CPU each message cost (webhook benchmark at 200 msg/s:
    4.6-5.2 ms against 3.0 ms one at a time) and the backlog never drained. A database server
    works on several transactions at once, so there it is the pool size.
    """
    return 1 if engine.dialect.name == "sqlite" else SERVER_POOL_SIZE



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
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    # SQLite checkpoints the WAL inside whichever commit pushes it past this many pages, so with the
    # default (1000) every few hundred webhooks one waits for a checkpoint. The worker checkpoints
    # instead (checkpoint_wal); this high mark only matters when no worker runs for a long time.
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()


def _sqlite_read_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # BEGIN is ours (a deferred one), as for writers
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def _begin_with(engine: Engine, begin: Callable[[sqlite3.Connection], None]) -> None:
    """Let `begin` start the engine's transactions (pysqlite's dialect starts none: see _sqlite_pragmas).

    Through the dialect's own begin step, not SQLAlchemy's "begin" engine event: an engine with any
    event listener makes each of its connections dispatch events around every statement, which cost a
    webhook about 0.1 ms of its 1 ms (bench.webhook.inprocess, text/location/image, same process).
    """
    engine.dialect.do_begin = lambda pooled: begin(pooled.driver_connection)  # type: ignore[method-assign]


def _sqlite_begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    # A deferred transaction that reads and then writes fails with "database is locked" when
    # another process wrote in between; taking the write lock at BEGIN makes writers queue instead.
    lock = getattr(dbapi_connection, "write_lock", None)
    if lock is not None:
        lock.acquire()
    try:
        _execute(dbapi_connection, "BEGIN IMMEDIATE")
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def _sqlite_begin_deferred(dbapi_connection: sqlite3.Connection) -> None:
    _execute(dbapi_connection, "BEGIN")


def _execute(dbapi_connection: sqlite3.Connection, statement: str) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
