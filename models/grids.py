"""单元网格 (GB/T 30428.1 unit grid cells) with their 社区: checking an import and locating a point.

A grid code is 15 digits: the 6-digit district code, 3 for the street, 3 for the community, 3 for the
cell; the first 12 are the community code. A cell must lie inside its street's polygon (within
CONTAINMENT_TOLERANCE_DEG, about 1 m, for surveyed borders that differ in the last digit) and must
not overlap another cell of the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from models.geo import Point, StreetLocator, parse_polygon

GRID_CODE = re.compile(r"\d{15}")
CONTAINMENT_TOLERANCE_DEG = 1e-5
OVERLAP_TOLERANCE_DEG2 = 1e-10  # shared borders touch, they do not overlap


@dataclass(frozen=True)
class GridFeature:
    code: str
    community_code: str
    community_name: str
    street_code: str
    geometry: dict[str, Any]


class GridFileError(ValueError):
    """An import refused; the message names the feature and says what to fix."""


def _label(number: int, properties: Mapping[str, Any]) -> str:
    code = properties.get("code")
    return f"第 {number} 个要素" + (f" (网格 {code})" if code else "")


def parse_grid_features(collection: Any) -> list[GridFeature]:
    """The features of a FeatureCollection, each checked on its own (code, community, street, polygon)."""
    features = collection.get("features") if isinstance(collection, Mapping) else None
    if not isinstance(features, list) or not features:
        raise GridFileError("不是含要素的 GeoJSON FeatureCollection; 每个要素需有 code、community_code、"
                            "community_name、street_code 属性和多边形边界")
    parsed, seen = [], set()
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, Mapping) else None
        if not isinstance(properties, Mapping):
            raise GridFileError(f"第 {number} 个要素没有 properties")
        label = _label(number, properties)
        code = str(properties.get("code") or "")
        community = str(properties.get("community_code") or "")
        if not GRID_CODE.fullmatch(code):
            raise GridFileError(f"{label}: 网格编码应为 15 位数字 (区6+街道3+社区3+网格3), 现为 {code!r}")
        if code in seen:
            raise GridFileError(f"{label}: 网格编码重复")
        seen.add(code)
        if community != code[:12]:
            raise GridFileError(f"{label}: community_code 应为网格编码的前 12 位 {code[:12]}, 现为 {community!r}")
        name = str(properties.get("community_name") or "").strip()
        street = str(properties.get("street_code") or "").strip()
        if not name or not street:
            raise GridFileError(f"{label}: 缺少 community_name 或 street_code 属性")
        try:
            parse_polygon(code, feature.get("geometry") or {}, "网格")
        except ValueError as exc:
            raise GridFileError(f"{label}: {exc}") from None
        parsed.append(GridFeature(code, community, name[:200], street, feature["geometry"]))
    return parsed


def check_containment(features: Sequence[GridFeature], streets: Mapping[str, dict[str, Any]]) -> None:
    """Each cell inside its street (by street code) and no two cells overlapping."""
    shapes: list[BaseGeometry] = []
    for feature in features:
        street = streets.get(feature.street_code)
        if street is None:
            raise GridFileError(f"网格 {feature.code}: 没有编码为 {feature.street_code} 的街道; "
                                "先用 `chengguan streets import` 导入街道")
        cell = parse_polygon(feature.code, feature.geometry, "网格")
        outline = parse_polygon(feature.street_code, street).buffer(CONTAINMENT_TOLERANCE_DEG)
        if not outline.contains(cell):
            raise GridFileError(f"网格 {feature.code}: 边界超出街道 {feature.street_code} 的范围")
        shapes.append(cell)
    tree = shapely.STRtree(shapes)
    for i, cell in enumerate(shapes):
        for j in (int(k) for k in tree.query(cell, predicate="intersects")):
            if j > i and cell.intersection(shapes[j]).area > OVERLAP_TOLERANCE_DEG2:
                raise GridFileError(f"网格 {features[i].code} 与网格 {features[j].code} 重叠")


def locate_grid(cells: Sequence[tuple[str, dict[str, Any]]], point: Point) -> str | None:
    """The code of the grid cell holding a WGS-84 point (on a shared border: the smaller code)."""
    return StreetLocator(cells).locate(point) if cells else None
