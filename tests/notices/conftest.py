"""Notices to residents: the service configured with a deployment's channels, and a controlled clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from bot.config import Config
from bot.db import transaction
from bot.service import Service
from bot.simulator.api import FakeWeChatAPI
from models import Case, CaseStatus, Role
from models.calendar import TZ
from tests.chat import mp_env
from tests.factories import make_user

START = datetime(2026, 11, 24, 9, 30, tzinfo=TZ)  # a Tuesday morning


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def configure(mp_service: Service, wechat_api: FakeWeChatAPI, database_url: str, tmp_path: Path) -> Callable[..., None]:
    """Give the service a deployment's notice settings (environment variables), as `serve` would read them."""
    def apply(**env: str) -> None:
        mp_service.config = Config.from_env({**mp_env(wechat_api, database_url, tmp_path / "data"), **env})
    return apply


def advance(service: Service, number: str, *targets: CaseStatus) -> None:
    """Take the case through these steps now, as a reviewer and an officer would."""
    with transaction(service.sessions) as s:
        reviewer, officer = make_user(s, Role.REVIEWER), make_user(s, Role.OFFICER)
        case = s.scalars(select(Case).where(Case.number == number)).one()
        for target in targets:
            field = target in (CaseStatus.RECTIFYING, CaseStatus.SUBMITTED)
            case.transition(target, officer if field else reviewer)


def accept(service: Service, number: str) -> None:
    advance(service, number, CaseStatus.ACCEPTED)


def close(service: Service, number: str) -> None:
    advance(service, number, CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.SUBMITTED,
            CaseStatus.VERIFIED, CaseStatus.CLOSED)


THREE_DAYS = timedelta(days=3)
