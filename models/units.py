"""Responsible units (责任单位) and the routing table that says which unit takes which case.

Events go first to the territory and components first to their owner (先属地后属主): a rule names a
street (or any street) and a category prefix (a kind "E"/"C", a major class "E05", a full key
"E0502", or "" for everything); the most specific matching rule wins. The table is data.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, intpk, str200


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str200]
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class DispatchRule(Base):
    __tablename__ = "dispatch_rules"

    id: Mapped[intpk]
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"), index=True)  # None: any street
    category_prefix: Mapped[str] = mapped_column(String(8), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))


def responsible_unit(session: Session, street_id: int | None, category_key: str) -> Unit | None:
    """The unit of the most specific rule for this street and category, or None when no rule fits."""
    rules = session.scalars(
        select(DispatchRule).where((DispatchRule.street_id == street_id) | DispatchRule.street_id.is_(None))
    ).all()
    fitting = [r for r in rules if category_key.startswith(r.category_prefix)]
    if not fitting:
        return None
    best = max(fitting, key=lambda r: (r.street_id is not None, len(r.category_prefix)))
    return session.get(Unit, best.unit_id)
