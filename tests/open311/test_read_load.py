"""Anonymous reads against webhooks: a read never waits for the write lock nor holds it, a client
that polls too fast gets 429 with Retry-After, and an unchanged listing is answered 304."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError

from bot.db import make_engine

BASE = "/open311/v2"
FORM = {"service_code": "E0102", "lat": "39.9087", "long": "116.3975", "address_string": "长安街1号",
        "description": "路口有一堆生活垃圾"}


def test_a_listing_is_answered_while_another_process_holds_the_write_lock(client, service, api_key,
                                                                          database_url) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert client.post(f"{BASE}/requests.json", data={"api_key": api_key, **FORM}).status_code == 200
    writer = make_engine(database_url)  # as the worker process would: its own engine on the same file
    answers: list = []
    reader = threading.Thread(target=lambda: answers.append(client.get(f"{BASE}/requests.json")), daemon=True)
    try:
        with writer.begin() as connection:  # BEGIN IMMEDIATE and the lock file, until the block ends
            connection.exec_driver_sql("UPDATE cases SET description = 'being written'")
            reader.start()
            reader.join(timeout=20)  # on main the read queued behind this writer for the lock's 30 s timeout
            assert not reader.is_alive(), "the read waited for the writer"
            connection.exec_driver_sql("UPDATE cases SET description = description")
    finally:
        reader.join(timeout=60)
        writer.dispose()
    [answer] = answers
    assert answer.status_code == 200
    assert [item["description"] for item in answer.get_json()] == ["路口有一堆生活垃圾"] * 3  # the last commit


def test_the_read_path_cannot_write(service) -> None:  # type: ignore[no-untyped-def]
    if service.engine.dialect.name != "sqlite":
        pytest.skip("on a database server reads share the writers' engine; nothing to queue behind")
    with service.reads() as session, pytest.raises(OperationalError, match="readonly"):
        session.connection().exec_driver_sql("DELETE FROM cases")
