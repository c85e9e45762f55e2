"""Writers on one SQLite file queue on its lock file and give the lock back when their transaction ends."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import writelock
from bot.db import make_engine
from bot.writelock import WriteLock


@pytest.fixture
def engines(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    a, b = make_engine(url), make_engine(url)
    with a.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield a, b
    a.dispose()
    b.dispose()


def lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock we took


def test_a_second_writer_waits_for_the_first_to_commit(engines: tuple[Engine, Engine], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = engines
    order: list[str] = []
    queued = threading.Event()  # set when b has found the lock taken and pauses to try again

    class Clock:  # bot.writelock's clock: real, but a pause says "queued"
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def sleep(seconds: float) -> None:
            queued.set()
            time.sleep(seconds)

    monkeypatch.setattr(writelock, "time", Clock)

    def write_b() -> None:
        with b.begin() as connection:
            order.append("b began")
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")

    with a.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert not lock_is_free(tmp_path / "queue.db.writelock")
        second = threading.Thread(target=write_b)
        second.start()
        assert queued.wait(timeout=10)  # b is waiting on the lock, not yet in its transaction
        order.append("a commits")
    second.join(timeout=10)
    assert not second.is_alive() and order == ["a commits", "b began"]
    assert lock_is_free(tmp_path / "queue.db.writelock")
    with b.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2


def test_the_lock_is_given_back_on_rollback(engines: tuple[Engine, Engine], tmp_path: Path) -> None:
    a, _ = engines
    with pytest.raises(RuntimeError):
        with a.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
            raise RuntimeError("handler failed")
    assert lock_is_free(tmp_path / "queue.db.writelock")
    with a.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0


def test_a_lock_held_too_long_leaves_the_decision_to_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "stuck.writelock"
    holder = WriteLock(str(path), timeout_s=1)
    holder.acquire()
    waiter = WriteLock(str(path), timeout_s=0.05)
    waiter.acquire()  # returns after the timeout instead of hanging
    assert holder.held and not waiter.held
    holder.close()
    waiter.acquire()
    assert waiter.held
    waiter.close()


def test_a_transaction_holds_sqlites_write_lock_from_its_begin(engines: tuple[Engine, Engine], tmp_path: Path) -> None:
    """BEGIN IMMEDIATE (bot.db): a writer that reads first cannot find the database locked at its first write."""
    a, _ = engines
    with a.begin():  # no statement yet
        other = sqlite3.connect(tmp_path / "queue.db", timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        assert not lock_is_free(tmp_path / "queue.db.writelock")
    assert lock_is_free(tmp_path / "queue.db.writelock")


def test_the_engines_dispatch_no_events_around_statements(service) -> None:  # type: ignore[no-untyped-def]
    """An engine event listener makes every connection dispatch events around each statement (about 0.1 ms of a
    webhook's 1 ms): BEGIN goes through the dialect instead (bot.db._begin_with); connect hooks are the pool's."""
    assert not service.engine._has_events and not service.read_engine._has_events
