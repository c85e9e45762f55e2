"""Shared pieces of the uplink tests: a Service with the uplink on, cases taken through their steps,
and a worker loop that fast-forwards back-off so hours of retries take milliseconds."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select, update

from bot import photostore
from bot.config import Config
from bot.db import transaction
from bot.jobs import job_handlers
from bot.open311.read_links import prepare_read_links
from bot.service import Service
from bot.worker import Worker
from models import Base, Case, CaseStatus, JobStatus, OutboxJob, Photo, PhotoRole, PhotoStatus, Role, utcnow
from models.platform import ServiceMapping
from tests.factories import make_case, make_user
from tests.photos import photo


def uplink_config(database_url: str, data_dir: Path, **env: str) -> Config:
    return Config.from_env({
        "DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(data_dir),
        "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9", "CHENGGUAN_SECRET_KEY": "test-secret", **env,
    })


def map_category(service: Service, category: str = "E0102", code: str = "G-102") -> None:
    with transaction(service.sessions) as s:
        s.add(ServiceMapping(category_code=category, service_code=code))


def new_case(session, category_code: str = "E0102", **fields: object) -> Case:  # type: ignore[no-untyped-def]
    case = make_case(session, **fields)
    case.category_code = category_code
    session.flush()
    return case


def accepted_cases(service: Service, n: int, *, with_photo: bool = False, **fields: object) -> list[str]:
    """n reported cases accepted by a reviewer (which queues their push), their numbers."""
    numbers = []
    with transaction(service.sessions) as s:
        reviewer = make_user(s, Role.REVIEWER)
        for i in range(n):
            case = new_case(s, description=f"垃圾堆积 {i}", lat=39.9 + i * 1e-4, lon=116.3,
                            address=f"测试路{i}号", **fields)
            if with_photo:  # a real photo: only its redacted copy leaves the service
                path, digest = photostore.save(photostore.store_for(service.config), photo("coffee"), utcnow())
                s.add(Photo(case_id=case.id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED,
                            storage_path=path, sha256=digest, size=len(photo("coffee"))))
            case.transition(CaseStatus.ACCEPTED, reviewer, note="受理")
            numbers.append(case.number)
    if with_photo:
        prepare_read_links(service)  # the scheduler's job: the uplink waits for the redacted copies
    return numbers


def take_steps(service: Service, number: str, *targets: CaseStatus) -> None:
    with transaction(service.sessions) as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        reviewer = make_user(s, Role.REVIEWER)
        officer = make_user(s, Role.OFFICER)
        for target in targets:
            actor = officer if target in (CaseStatus.RECTIFYING, CaseStatus.SUBMITTED) else reviewer
            case.transition(target, actor, note=f"测试{target.label}")


def drain(service: Service, rounds: int = 50, between=None) -> None:  # type: ignore[no-untyped-def]
    """Run the worker until nothing is pending, making every back-off due at once (and the scheduler's
    redacted copies, which photo uploads wait for)."""
    worker = Worker(service, job_handlers())
    for _ in range(rounds):
        prepare_read_links(service)
        worker.run_until_idle()
        with transaction(service.sessions) as s:
            pending = s.scalar(select(OutboxJob.id).where(OutboxJob.status == JobStatus.PENDING,
                                                          ~OutboxJob.kind.like("%.poll")).limit(1))
            if pending is None:
                return
            s.execute(update(OutboxJob).where(OutboxJob.status == JobStatus.PENDING)
                      .values(next_try_at=utcnow(), locked_until=None))
        if between:
            between()
    raise AssertionError("outbox did not drain")


def jobs(service: Service, kind_prefix: str = "") -> list[OutboxJob]:
    with service.sessions() as s:
        return list(s.scalars(select(OutboxJob).where(OutboxJob.kind.like(f"{kind_prefix}%")).order_by(OutboxJob.id)))


def close_and_empty(service: Service) -> None:
    """After a test: the uplink's HTTP clients closed, every table emptied, the engine's connections closed."""
    for client in service.__dict__.get("_uplink_clients", {}).values():
        client.close()
    with service.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    service.engine.dispose()
