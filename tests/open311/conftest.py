"""Our GeoReport v2 server through Flask's test client, and the JSON schemas its answers must meet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from jsonschema import Draft202012Validator

from bot.app import create_app
from bot.db import transaction
from bot.open311.keys import create_key
from models.calendar import TZ

FIXED_NOW = datetime(2026, 11, 25, 10, tzinfo=TZ)  # a Wednesday; the tests' dates do not depend on today

SCHEMAS = Path(__file__).parent / "schemas"


def check(name: str, body: Any) -> Any:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
    return body


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with time_machine.travel(FIXED_NOW, tick=True):
        yield


@pytest.fixture
def client(service):  # type: ignore[no-untyped-def]
    """A reader with a `private` key (X-Api-Key on every request): it sees cases as stored."""
    with transaction(service.sessions) as s:
        key = create_key(s, "reader-private", private=True)
    test_client = create_app(service=service).test_client()
    test_client.environ_base["HTTP_X_API_KEY"] = key
    return test_client


@pytest.fixture
def anonymous(service):  # type: ignore[no-untyped-def]
    return create_app(service=service).test_client()


@pytest.fixture
def api_key(service) -> str:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        return create_key(s, "district-a")


@pytest.fixture
def batch_key(service) -> str:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        return create_key(s, "district-b", batch=True)
