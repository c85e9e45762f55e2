"""`python -m bench.console [--cases 100000] [--streets 50] [--requests 30] [--postgres SERVER_URL]`

Server-side render time of the console's queue (a page of 50 cases) with a synthetic district of
100,000 cases (bench/reports/data.py, bulk inserts), through the real app and session cookie (WSGI, in
process, so no network is timed). Target: median < 100 ms. Writes the `## console (SQLite)` or
`## console (PostgreSQL)` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text

from bench.reports.data import START, populate
from bench.results import machine, write_section
from bot.app import create_app
from bot.config import Config
from bot.db import transaction
from bot.service import Service
from console.passwords import hash_password
from models import Role, User
from tests.databases import fresh_database

PASSWORD = "bench-console-password"
TARGET_MS = 100.0
PAGES = (  # (what, who signs in, URL)
    ("处置中, first page", "district", "/console/?tab=working"),
    ("处置中, page 300", "district", "/console/?tab=working&page=300"),
    ("待审核, overdue only", "district", "/console/?tab=submitted&overdue=1"),
    ("返工, 返工≥2次", "district", "/console/?tab=returned&reworked=1"),
    ("已结案, category E0102", "district", "/console/?tab=closed&category=E0102"),
    ("处置中, source 巡查上报", "district", "/console/?tab=working&source=patrol"),
    ("处置中, a street's reviewer", "street", "/console/?tab=working"),
)
CASE_LINK = re.compile(r'href="/console/cases/[^"]+"')


def add_reviewers(service: Service) -> None:
    digest = hash_password(PASSWORD)
    with transaction(service.sessions) as session:
        session.execute(insert(User), [
            {"id": 900_001, "name": "区审核员", "role": Role.REVIEWER, "street_id": None, "login": "district",
             "password_hash": digest, "active": True, "created_at": START, "mobile": "", "road": ""},
            {"id": 900_002, "name": "街道审核员", "role": Role.REVIEWER, "street_id": 1, "login": "street",
             "password_hash": digest, "active": True, "created_at": START, "mobile": "", "road": ""},
        ])


def signed_in(app, login: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post("/console/login", data={"login": login, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def time_page(client, url: str, requests: int) -> tuple[float, float, float, int]:  # type: ignore[no-untyped-def]
    """(median wall ms, p90 wall ms, median CPU ms of this process, case rows on the page) over `requests`
    renders after 3 warm-ups. CPU time leaves out waiting for a core on a shared machine (and, on
    PostgreSQL, the server's own work, which the wall time includes)."""
    for _ in range(3):
        client.get(url)
    times, cpu = [], []
    for _ in range(requests):
        began, began_cpu = time.perf_counter(), time.process_time()
        answer = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert answer.status_code == 200
    rows = len(CASE_LINK.findall(answer.get_data(as_text=True)))
    return statistics.median(times), sorted(times)[int(0.9 * (len(times) - 1))], statistics.median(cpu), rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.console")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--streets", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--postgres", metavar="SERVER_URL", help="a PostgreSQL server (a database is made and dropped)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    kind = "PostgreSQL" if args.postgres else "SQLite"
    with fresh_database(args.postgres, prefix="chengguan_bench") as url, tempfile.TemporaryDirectory() as folder:
        service = Service.build(Config.from_env({"DATABASE_URL": url, "CHENGGUAN_DATA_DIR": str(Path(folder))}))
        began = time.perf_counter()
        with transaction(service.sessions) as session:
            populate(session, args.cases, args.streets)
        add_reviewers(service)
        # PostgreSQL: VACUUM as autovacuum does soon after a bulk load; until then no page is marked
        # all-visible and every index-only scan still reads the table (the first figures measured that).
        with service.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if args.postgres else "ANALYZE"))
        setup = time.perf_counter() - began
        app = create_app(service=service)
        clients = {who: signed_in(app, who) for who in ("district", "street")}
        gc.collect()
        gc.freeze()  # as bot.webserver does after start-up: no full collection walks the set-up's objects
        figures = [(what, url_, *time_page(clients[who], url_, args.requests)) for what, who, url_ in PAGES]
        service.dispose()
    worst = max(median for _, _, median, _, _, _ in figures)
    load = os.getloadavg()[0]
    lines = [f"{args.cases:,} cases, {args.streets} streets, {kind}; {args.requests} renders per page after 3 "
             f"warm-ups, in process (Flask test client with the signed session cookie: the whole request, "
             f"no network); {machine()}; 1-minute load average {load:.1f} at the end (the machine is shared)", "",
             "| page | URL | median | p90 | median CPU | rows |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {what} | `{url_}` | {median:.1f} ms | {p90:.1f} ms | {cpu:.1f} ms | {rows} |"
              for what, url_, median, p90, cpu, rows in figures]
    verdict = "**met**" if worst < TARGET_MS else "**not met**"
    lines += ["", f"Target median < {TARGET_MS:.0f} ms for a page of 50 cases: {verdict} (slowest median {worst:.1f} ms). "
              f"Data set written in {setup:.1f} s (bulk inserts, then {'VACUUM ANALYZE' if args.postgres else 'ANALYZE'})."]
    print("\n".join(lines))
    if not args.no_write:
        write_section(f"console ({kind})", "\n".join(lines))


if __name__ == "__main__":
    main()
