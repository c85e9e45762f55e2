"""Which platform service_code each of our categories is filed under.

`sync_services` stores the platform's services.json and maps every category a person has not
mapped by hand to the platform service with the same code (E0102 or 0102) or the same name
(暴露垃圾, or 市容环境/暴露垃圾). `set_mapping` is the hand edit; sync never overwrites it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.open311.serialize import category_table, find_category
from models.base import utcnow
from models.categories import Category
from models.platform import PlatformService, ServiceMapping


@dataclass
class SyncReport:
    services: int = 0
    removed: list[str] = field(default_factory=list)
    mapped: list[tuple[str, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def sync_services(session: Session, items: Iterable[dict[str, Any]]) -> SyncReport:
    report = SyncReport()
    known = {s.service_code: s for s in session.scalars(select(PlatformService))}
    seen: set[str] = set()
    now = utcnow()
    for item in items:
        code = str(item.get("service_code") or "").strip()
        if not code or code in seen:
            continue
        seen.add(code)
        service = known.get(code) or PlatformService(service_code=code)
        service.service_name = str(item.get("service_name") or "")[:200]
        service.group = str(item.get("group") or "")[:200]
        service.type = str(item.get("type") or "realtime")[:20]
        service.keywords = str(item.get("keywords") or "")
        service.active, service.synced_at = True, now
        session.add(service)
    for code, service in known.items():
        if code not in seen and service.active:
            service.active = False
            report.removed.append(code)
    report.services = len(seen)
    session.flush()
    _auto_map(session, report)
    return report


def _auto_map(session: Session, report: SyncReport) -> None:
    active = list(session.scalars(select(PlatformService).where(PlatformService.active.is_(True))))
    by_code = {s.service_code.upper(): s.service_code for s in active}
    by_name = {s.service_name: s.service_code for s in active if s.service_name}
    mappings = {m.category_code: m for m in session.scalars(select(ServiceMapping))}
    for category in category_table():
        existing = mappings.get(category.key)
        if existing is not None and existing.manual:
            continue
        target = _match(category, by_code, by_name)
        if target is None:
            if existing is not None and existing.service_code not in by_code.values():
                session.delete(existing)  # its service is gone; better unmapped (and parked) than wrong
            report.unmapped.append(category.key)
            continue
        if existing is None:
            session.add(ServiceMapping(category_code=category.key, service_code=target))
        elif existing.service_code != target:
            existing.service_code = target
        report.mapped.append((category.key, target))


def _match(category: Category, by_code: dict[str, str], by_name: dict[str, str]) -> str | None:
    for candidate in (category.key, category.code):
        if candidate.upper() in by_code:
            return by_code[candidate.upper()]
    for name in (category.minor, category.label):
        if name in by_name:
            return by_name[name]
    return None


def set_mapping(session: Session, category_code: str, service_code: str) -> ServiceMapping:
    category = find_category(category_code)
    if category is None:
        raise ValueError(f"没有这个分类: {category_code}; 用分类代码, 如 E0102")
    known = session.scalar(select(PlatformService).where(PlatformService.service_code == service_code))
    if known is None:
        raise ValueError(f"平台没有服务代码 {service_code}; 先运行 chengguan platform sync-services 再对应")
    mapping = session.scalar(select(ServiceMapping).where(ServiceMapping.category_code == category.key))
    if mapping is None:
        mapping = ServiceMapping(category_code=category.key, service_code=service_code)
        session.add(mapping)
    mapping.service_code, mapping.manual = service_code, True
    return mapping


def service_code_for(session: Session, category_code: str) -> str | None:
    return session.scalar(select(ServiceMapping.service_code).where(ServiceMapping.category_code == category_code))
