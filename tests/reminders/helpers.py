"""Builders for reminder tests: a street with its group robot, an officer with a WeCom id, cases."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.jobs import job_handlers
from bot.reminders.standin import RobotStandIn
from bot.service import Service
from bot.worker import Worker
from models import CaseStatus, GroupChat, Identity, OutboxJob, Role
from models.calendar import TZ
from models.outbox import JobStatus
from tests.factories import make_case, make_street, make_user

MONDAY = datetime(2026, 10, 12, 8, 30, tzinfo=TZ)        # first working day after National Day
HOLIDAY = datetime(2026, 10, 5, 8, 30, tzinfo=TZ)        # National Day holiday (Monday)
MAKEUP_SATURDAY = datetime(2026, 10, 10, 8, 30, tzinfo=TZ)  # 调休: a working Saturday


def street_with_group(session: Session, robot: RobotStandIn, code: str = "JD01", key: str = "key-jd01") -> GroupChat:
    street = make_street(session, code=code, name=f"{code}街道")
    group = GroupChat(kind="robot", target=robot.webhook(key), street_id=street.id, name=street.name)
    session.add(group)
    session.flush()
    return group


def officer(session: Session, street_id: int, userid: str | None = "zhangsan", mobile: str | None = None):  # type: ignore[no-untyped-def]
    user = make_user(session, Role.OFFICER, name="张三", street_id=street_id, mobile=mobile)
    if userid:
        session.add(Identity(user_id=user.id, channel="work", external_id=userid))
        session.flush()
    return user


def case_due(session: Session, street_id: int, deadline: datetime, status: CaseStatus = CaseStatus.RECTIFYING, **fields: object):  # type: ignore[no-untyped-def]
    category = str(fields.pop("category_code", "E0102"))  # 暴露垃圾
    case = make_case(session, status=status, street_id=street_id, deadline=deadline, **fields)
    case.category_code = category
    session.flush()
    return case


def drain(service: Service) -> int:
    return Worker(service, job_handlers()).run_until_idle()


def make_due_now(service: Service) -> None:
    """Pretend time passed: every pending job is due now (the worker's clock is the real one)."""
    with service.sessions() as session, session.begin():
        for job in session.scalars(select(OutboxJob).where(OutboxJob.status == JobStatus.PENDING)):
            job.next_try_at = datetime.now(TZ) - timedelta(seconds=1)


def deliver_all(service: Service, rounds: int = 10) -> None:
    """Drain, and let waiting parts (a part claimed before its predecessor waits a moment) go too."""
    for _ in range(rounds):
        drain(service)
        with service.sessions() as session:
            if not session.scalar(select(OutboxJob.id).where(OutboxJob.status == JobStatus.PENDING)):
                return
        make_due_now(service)
