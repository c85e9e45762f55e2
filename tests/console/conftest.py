"""A small district for the console: two streets (东街, 西街), a reviewer of each with a password,
a district-level admin, and a few cases in each street."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask

from bot.app import create_app
from bot.db import transaction
from bot.service import Service
from models import CaseSource, CaseStatus, Role, utcnow
from tests.console.helpers import give_password
from tests.factories import make_case, make_street, make_user


@dataclass
class Seeded:
    east: int
    west: int
    east_reviewer: int
    west_reviewer: int
    admin: int
    east_cases: list[str]
    west_cases: list[str]


@pytest.fixture
def app(service: Service) -> Flask:
    return create_app(service=service)


@pytest.fixture
def seeded(service: Service) -> Seeded:
    now = utcnow()
    with transaction(service.sessions) as s:
        east, west = make_street(s, "E", "东街街道").id, make_street(s, "W", "西街街道").id
        east_reviewer = make_user(s, Role.REVIEWER, "东街审核员", street_id=east).id
        west_reviewer = make_user(s, Role.REVIEWER, "西街审核员", street_id=west).id
        admin = make_user(s, Role.ADMIN, "区管理员").id
        east_cases = [
            make_case(s, street_id=east, deadline=now + timedelta(days=2), description="东街暴露垃圾").number,
            make_case(s, street_id=east, deadline=now - timedelta(hours=3), source=CaseSource.PATROL,
                      description="东街超期").number,
            make_case(s, CaseStatus.SUBMITTED, street_id=east, deadline=now + timedelta(days=1)).number,
        ]
        west_cases = [make_case(s, street_id=west, deadline=now + timedelta(days=1), description="西街占道").number,
                      make_case(s, CaseStatus.SUBMITTED, street_id=west).number]
    give_password(service, east_reviewer, "east")
    give_password(service, west_reviewer, "west")
    give_password(service, admin, "admin")
    return Seeded(east, west, east_reviewer, west_reviewer, admin, east_cases, west_cases)
