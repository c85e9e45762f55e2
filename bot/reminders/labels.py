"""Short Chinese labels for digests, ledgers and charts: categories, durations, people."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.calendar import DEFAULT_HOURS
from models.categories import CategoryTable
from models.users import CHANNEL_WORK, Identity, User


@cache
def _categories() -> CategoryTable:
    return CategoryTable.load()


def category_label(key: str, *, full: bool = False) -> str:
    """"E0102" -> "暴露垃圾" (or "市容环境/暴露垃圾"); an unknown key is shown as it is."""
    try:
        category = _categories().get(key)
    except KeyError:
        return key
    return category.label if full else category.minor


def major_label(prefix: str) -> str:
    """"E01" -> "事件·市容环境"."""
    for category in _categories():
        if category.key.startswith(prefix) and len(prefix) == 3:
            return f"{category.kind.label}·{category.major}"
    return prefix


def overdue_label(hours: float) -> str:
    """Working time past the deadline: "超期 1.5 工时" under a working day, "超期 3 个工作日" beyond."""
    per_day = DEFAULT_HOURS.hours_per_day
    if hours < per_day:
        return f"超期 {max(hours, 0.1):.1f} 工时"
    return f"超期 {hours / per_day:.0f} 个工作日" if hours % per_day < 0.05 * per_day else f"超期 {hours / per_day:.1f} 个工作日"


def work_userids(session: Session, user_ids: set[int]) -> dict[int, str]:
    """User id -> WeCom UserId, for those who have one."""
    if not user_ids:
        return {}
    rows = session.execute(select(Identity.user_id, Identity.external_id).where(
        Identity.channel == CHANNEL_WORK, Identity.user_id.in_(user_ids)))
    return {user_id: external for user_id, external in rows}


def people(session: Session, user_ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """User id -> (name, mobile)."""
    if not user_ids:
        return {}
    return {i: (n, m) for i, n, m in session.execute(select(User.id, User.name, User.mobile).where(User.id.in_(user_ids)))}
