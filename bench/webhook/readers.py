"""The cases the Open311 readers of `python -m bench.webhook --readers N` poll (see bench.webhook.pollers)."""

from __future__ import annotations

import random

from bot.config import Config
from bot.db import transaction
from bot.migrate import upgrade
from bot.service import Service
from models import AuditEvent, Case, CaseSource, CaseStatus, next_case_number
from models.base import utcnow


def seed_cases(data_dir: str, count: int) -> None:
    """`count` open cases with their first audit event, as Open311 and chat reports leave them."""
    config = Config.from_env({"CHENGGUAN_DATA_DIR": data_dir, "DATABASE_URL": ""})
    upgrade(config.database_url)
    service = Service.build(config)
    now = utcnow()
    with transaction(service.sessions) as session:
        for n in range(count):
            case = Case(number=next_case_number(session, now), source=CaseSource.HOTLINE, category_code="E0102",
                        description=f"路口有一堆生活垃圾, 第 {n} 处, 已影响通行", lat=39.9 + random.random() / 100,
                        lon=116.3 + random.random() / 100, address=f"长安街{n}号", status=CaseStatus.REPORTED)
            session.add(case)
            session.flush()
            session.add(AuditEvent(case_id=case.id, action="report", to_status=CaseStatus.REPORTED,
                                   note="经 Open311 接口提交"))
    service.dispose()
