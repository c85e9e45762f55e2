"""Reminder tests run against the stand-in group robot on 127.0.0.1 (WECOM_WEBHOOK_BASE points there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.reminders.standin import RobotStandIn, running_robot


@pytest.fixture
def robot() -> Iterator[RobotStandIn]:
    with running_robot() as stand_in:
        yield stand_in


@pytest.fixture
def config(database_url: str, tmp_path: Path, robot: RobotStandIn) -> Config:
    return Config.from_env({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data"),
                            "WECOM_WEBHOOK_BASE": robot.url})
