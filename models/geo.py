"""Points, GCJ-02 <-> WGS-84, distances and street lookup.

WeChat location messages are GCJ-02 (China's offset datum); we store WGS-84
and keep the original. GCJ-02 is the published forward transform (a fixed
offset polynomial on the Krasovsky 1940 ellipsoid); the inverse has no closed
form, so ``gcj02_to_wgs84`` iterates the forward transform to a fixed point
(< 1 mm, the offset varies slowly so it converges in a few steps).
Implemented here rather than taken from PyPI because, when checked (2026-11),
the maintained package (coordTransform) only offers the one-step inverse
(1-2 m error), and the packages with an exact inverse (prcoords, eviltransform)
have had no release since 2019/2018.

"In China" is the usual rectangle (lon 72.004-137.8347, lat 0.8293-55.8271);
outside it GCJ-02 = WGS-84. The rectangle also covers neighbours (Seoul,
Hanoi...), which does not matter for a Chinese city's reports.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

_KRASOVSKY_A = 6378245.0  # semi-major axis, metres
_KRASOVSKY_E2 = 0.00669342162296594323  # first eccentricity squared
_EARTH_MEAN_RADIUS_M = 6371008.8

StreetId = TypeVar("StreetId", bound=Hashable)
Geometry = Sequence[Sequence[float]] | Mapping[str, Any]


@dataclass(frozen=True)
class Point:
    """A latitude/longitude pair in decimal degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        checks = (("lat", "latitude", 90, "纬度"), ("lon", "longitude", 180, "经度"))
        for field, name, bound, zh in checks:
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{zh}必须是数字: {value!r} / {name} must be a number")
            if not math.isfinite(value) or not -bound <= value <= bound:
                raise ValueError(
                    f"{zh}超出范围 [-{bound}, {bound}]: {value!r} / {name} out of range"
                )
            object.__setattr__(self, field, float(value))

    @classmethod
    def parse(cls, lat: str | float, lon: str | float) -> Point:
        """From strings such as WeChat's Location_X (lat) / Location_Y (lon)."""
        try:
            lat_value, lon_value = float(lat), float(lon)
        except (TypeError, ValueError):
            raise ValueError(
                f"坐标不是数字: {lat!r}, {lon!r} / coordinates are not numbers"
            ) from None
        return cls(lat_value, lon_value)


def in_china(point: Point) -> bool:
    return 72.004 <= point.lon <= 137.8347 and 0.8293 <= point.lat <= 55.8271


def _gcj_offset(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 minus WGS-84 at a WGS-84 position, in degrees (dlat, dlon)."""
    x, y = lon - 105.0, lat - 35.0
    wave_x = 20.0 * math.sin(6.0 * math.pi * x) + 20.0 * math.sin(2.0 * math.pi * x)
    north_m = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
        + (wave_x + 20.0 * math.sin(math.pi * y) + 40.0 * math.sin(math.pi * y / 3.0)) * 2.0 / 3.0
        + (160.0 * math.sin(math.pi * y / 12.0) + 320.0 * math.sin(math.pi * y / 30.0)) * 2.0 / 3.0
    )
    east_m = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
        + (wave_x + 20.0 * math.sin(math.pi * x) + 40.0 * math.sin(math.pi * x / 3.0)) * 2.0 / 3.0
        + (150.0 * math.sin(math.pi * x / 12.0) + 300.0 * math.sin(math.pi * x / 30.0)) * 2.0 / 3.0
    )
    phi = math.radians(lat)
    w = 1.0 - _KRASOVSKY_E2 * math.sin(phi) ** 2
    meridian_radius = _KRASOVSKY_A * (1.0 - _KRASOVSKY_E2) / (w * math.sqrt(w))
    parallel_radius = _KRASOVSKY_A / math.sqrt(w) * math.cos(phi)
    return math.degrees(north_m / meridian_radius), math.degrees(east_m / parallel_radius)


def wgs84_to_gcj02(point: Point) -> Point:
    if not in_china(point):
        return point
    dlat, dlon = _gcj_offset(point.lat, point.lon)
    return Point(point.lat + dlat, point.lon + dlon)


def gcj02_to_wgs84(point: Point) -> Point:
    """Inverse of ``wgs84_to_gcj02`` by fixed-point iteration (error < 1e-8 deg)."""
    if not in_china(point):
        return point
    lat, lon = point.lat, point.lon
    for _ in range(20):
        dlat, dlon = _gcj_offset(lat, lon)
        new_lat, new_lon = point.lat - dlat, point.lon - dlon
        converged = abs(new_lat - lat) < 1e-10 and abs(new_lon - lon) < 1e-10
        lat, lon = new_lat, new_lon
        if converged:
            break
    return Point(lat, lon)


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (mean Earth radius)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * _EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def parse_polygon(street_id: Hashable, geometry: Geometry, noun: str = "街道") -> Polygon | MultiPolygon:
    try:
        if isinstance(geometry, Mapping):
            if geometry.get("type") == "Feature":
                geometry = geometry["geometry"]
            shp = shape(geometry)
        else:
            shp = Polygon([(float(lon), float(lat)) for lon, lat in geometry])
    except (KeyError, TypeError, ValueError, AttributeError, ShapelyError) as exc:
        raise ValueError(f"{noun} {street_id} 的边界无法解析: {exc} / bad polygon") from None
    if not isinstance(shp, (Polygon, MultiPolygon)) or shp.is_empty:
        raise ValueError(f"{noun} {street_id} 的边界必须是多边形: {shp.geom_type} / not a polygon")
    if not shp.is_valid:
        raise ValueError(f"{noun} {street_id} 的边界无效: {explain_validity(shp)} / invalid polygon")
    min_lon, min_lat, max_lon, max_lat = shp.bounds
    if not (min_lon >= -180 and max_lon <= 180 and min_lat >= -90 and max_lat <= 90):
        raise ValueError(
            f"{noun} {street_id} 的边界坐标超出范围，应为 (经度, 纬度) WGS-84 / "
            "coordinates out of range, expected (lon, lat)"
        )
    return shp


def _order(street_id: Hashable) -> tuple[int, Any]:
    return (0, street_id) if isinstance(street_id, int) else (1, str(street_id))


class StreetLocator(Generic[StreetId]):
    """Which street (街道) a WGS-84 point lies in.

    Polygons are (lon, lat) WGS-84 rings or GeoJSON Polygon/MultiPolygon
    (or Feature) dicts. A point inside a polygon wins over one on a border; on
    a shared border (or where polygons overlap) the smallest street id wins,
    whatever order the streets were given in.
    """

    def __init__(self, streets: Iterable[tuple[StreetId, Geometry]]) -> None:
        self._ids: list[StreetId] = []
        self._shapes: list[Polygon | MultiPolygon] = []
        for street_id, geometry in streets:
            if street_id in self._ids:
                raise ValueError(f"街道编号重复: {street_id} / duplicate street id")
            self._ids.append(street_id)
            self._shapes.append(parse_polygon(street_id, geometry))
        self._tree = shapely.STRtree(self._shapes)

    @classmethod
    def from_geojson(
        cls, collection: Mapping[str, Any], id_property: str = "id"
    ) -> StreetLocator[Any]:
        """From a FeatureCollection; ids from ``properties[id_property]`` or the feature id."""
        streets = []
        for number, feature in enumerate(collection.get("features", []), start=1):
            street_id = (feature.get("properties") or {}).get(id_property, feature.get("id"))
            if street_id is None:
                raise ValueError(f"第 {number} 个要素没有 {id_property} / feature without id")
            streets.append((street_id, feature))
        return cls(streets)

    def __len__(self) -> int:
        return len(self._ids)

    def locate(self, point: Point) -> StreetId | None:
        where = shapely.Point(point.lon, point.lat)
        hits = [int(i) for i in self._tree.query(where, predicate="intersects")]
        inside = [i for i in hits if self._shapes[i].contains(where)]
        candidates = inside or hits
        if not candidates:
            return None
        return self._ids[min(candidates, key=lambda i: _order(self._ids[i]))]
