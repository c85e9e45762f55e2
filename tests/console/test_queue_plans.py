"""The queue's filtered pages are answered from indexes, not by reading every case: SQLite's query plans on
the bench's synthetic district (bench/reports/data.py), scaled down, after ANALYZE as the bench and a
maintained database have. In a database of its own, so its statistics steer no other test's plans."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from bench.console.__main__ import add_reviewers
from bench.reports.data import END, populate
from bot.config import Config
from bot.db import transaction
from bot.service import Service
from console import queue
from models import User
from tests.databases import fresh_database

DISTRICT_REVIEWER = 900_001  # bench.console's add_reviewers


@contextmanager
def statements(service: Service) -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(service.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(service.engine, "before_cursor_execute", record)


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with fresh_database(None, prefix="queue_plans") as url:
        data = tmp_path_factory.mktemp("queue_plans")
        service = Service.build(Config.from_env({"DATABASE_URL": url, "CHENGGUAN_DATA_DIR": str(data)}))
        with transaction(service.sessions) as session:
            populate(session, 3_000, 5)
        add_reviewers(service)
        with service.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        yield service
        service.dispose()


@pytest.mark.parametrize("args", [{"tab": "returned", "reworked": "1"}, {"tab": "closed", "category": "E0102"},
                                  {"tab": "working", "source": "patrol"}])
def test_filtered_pages_and_their_counts_read_an_index(district: Service, args: dict[str, str]) -> None:
    with district.sessions() as db:
        reviewer = db.get(User, DISTRICT_REVIEWER)
        assert reviewer is not None
        filters = queue.Filters.parse(args, queue.visible_streets(db, reviewer))
        assert not filters.problems
        with statements(district) as seen:
            page = queue.load(db, reviewer, filters, END)
        assert page.rows
        reading_cases = [(sql, params) for sql, params in seen if "FROM cases" in sql]
        assert len(reading_cases) == 2  # the tab counts, then the page
        for sql, params in reading_cases:
            plan = [row[3] for row in db.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
            # every read of cases but the page's 50 rows by primary key comes from an index alone
            reads = [step for step in plan if step.startswith(("SCAN cases", "SEARCH cases"))
                     and "INTEGER PRIMARY KEY" not in step]
            assert reads and all("USING COVERING INDEX" in step for step in reads), plan
