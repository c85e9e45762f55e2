"""Which photos the platform may see: problem photos once stored; rectifications only when they passed."""

from __future__ import annotations

import pytest

from bot.uplink.media import passed_check
from models import Photo, PhotoRole, PhotoStatus


@pytest.mark.parametrize(
    ("role", "status", "check", "sendable"),
    [
        (PhotoRole.PROBLEM, PhotoStatus.STORED, None, True),
        (PhotoRole.PROBLEM, PhotoStatus.PENDING, None, False),
        (PhotoRole.PROBLEM, PhotoStatus.REJECTED, None, False),
        (PhotoRole.RECTIFICATION, PhotoStatus.STORED, None, False),
        (PhotoRole.RECTIFICATION, PhotoStatus.STORED, {"ok": False}, False),
        (PhotoRole.RECTIFICATION, PhotoStatus.STORED, {"ok": True}, True),
    ],
)
def test_sendable(role, status, check, sendable) -> None:  # type: ignore[no-untyped-def]
    assert passed_check(Photo(role=role, status=status, check_result=check)) is sendable
