"""A throwaway database with N accepted cases queued for the uplink, pointed at a local platform."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from bot.db import transaction
from bot.service import Service
from models import Case, CaseSource, CaseStatus, GridCell, Role, Street, User, next_case_number
from models.platform import ServiceMapping
from tests.databases import fresh_database
from tests.factories import SQUARE


def database(server_url: str | None):  # type: ignore[no-untyped-def]
    """A fresh migrated database: a SQLite file, or a new database on the given PostgreSQL server."""
    return fresh_database(server_url, prefix="chengguan_bench")


def uplink_service(database_url: str, data_dir: Path, platform_url: str, api_key: str) -> Service:
    service = Service.build(Config.from_env({
        "DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(data_dir), "PLATFORM_OPEN311_URL": platform_url,
        "PLATFORM_API_KEY": api_key, "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9",
        "CHENGGUAN_SECRET_KEY": "bench"}))
    with transaction(service.sessions) as s:
        if s.get(ServiceMapping, 1) is None:
            s.add(ServiceMapping(category_code="E0102", service_code="E0102"))
    return service


def vendor_service(database_url: str, data_dir: Path, platform_url: str) -> Service:
    """A Service filing with the vendor stand-in (the szcg mapping)."""
    from tests.uplink_vendor.standin import APP_KEY, SECRET

    return Service.build(Config.from_env({
        "DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(data_dir), "PLATFORM_VENDOR_URL": platform_url,
        "PLATFORM_VENDOR_APP_KEY": APP_KEY, "PLATFORM_VENDOR_SECRET": SECRET}))


def stand_in_service(kind: str, database_url: str, data_dir: Path, platform_url: str) -> Service:
    """A Service filing with the stand-in of this kind (spec, peer or vendor)."""
    if kind == "vendor":
        return vendor_service(database_url, data_dir, platform_url)
    return uplink_service(database_url, data_dir, platform_url, "standin-key")


def vendor_grid(service: Service) -> dict[str, object]:
    """A grid cell of a mapped street: the fields the vendor's cases need."""
    grid = "110105001002003"
    with transaction(service.sessions) as s:
        street = Street(code="E", name="东街街道", polygon=SQUARE)
        s.add(street)
        s.flush()
        s.add(GridCell(code=grid, street_id=street.id, polygon=SQUARE, community_code=grid[:12], community_name="幸福社区"))
        return {"street_id": street.id, "grid_code": grid, "community_code": grid[:12]}


def queue_accepted_cases(service: Service, n: int, batch: int = 500, **fields: object) -> list[str]:
    """n cases accepted by a reviewer: the accept queues one push per uplink each (via the hook)."""
    numbers: list[str] = []
    with transaction(service.sessions) as s:
        reviewer = User(name="基准审核员", role=Role.REVIEWER)
        s.add(reviewer)
        s.flush()
        reviewer_id = reviewer.id
    for start in range(0, n, batch):
        with transaction(service.sessions) as s:
            reviewer = s.get(User, reviewer_id)
            cases = [Case(number=next_case_number(s), source=CaseSource.SNAPSHOT, category_code="E0102",
                          description=f"基准案件 {start + i}", lat=39.905, lon=116.305, address="基准路1号",
                          **fields)
                     for i in range(min(batch, n - start))]
            s.add_all(cases)
            s.flush()
            for case in cases:
                case.transition(CaseStatus.ACCEPTED, reviewer)
            numbers += [c.number for c in cases]
    return numbers
