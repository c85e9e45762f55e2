"""Streets (街道) and grid cells (网格), with WGS-84 polygons stored as GeoJSON geometry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, intpk, str200


class Street(Base):
    __tablename__ = "streets"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str200]
    polygon: Mapped[dict[str, Any]]  # GeoJSON Polygon/MultiPolygon, lon/lat WGS-84

    grids: Mapped[list[GridCell]] = relationship(back_populates="street")

    def __repr__(self) -> str:
        return f"<Street {self.code} {self.name}>"


class GridCell(Base):
    __tablename__ = "grid_cells"

    id: Mapped[intpk]
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # 15-digit 单元网格 code (GB/T 30428.1)
    polygon: Mapped[dict[str, Any]]
    community_code: Mapped[str] = mapped_column(String(12), default="")  # 社区: the code's first 12 digits
    community_name: Mapped[str200] = mapped_column(default="")

    street: Mapped[Street] = relationship(back_populates="grids")
