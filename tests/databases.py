"""Fresh databases for a test run or a benchmark: a SQLite file, or a new database on a PostgreSQL server."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.migrate import upgrade


@contextmanager
def fresh_database(server_url: str | None, prefix: str = "chengguan_test", migrate: bool = True) -> Iterator[str]:
    """Yields the URL of an empty database (migrated unless told not to); it is dropped afterwards."""
    if not server_url:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / f'{prefix}.db'}"
            if migrate:
                upgrade(url)
            yield url
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
