"""A case's WGS-84 point in the coordinate system a vendor platform asks for.

CGCS2000 and WGS-84 differ by centimetres (both geocentric, ITRF-aligned), far below a phone's GPS
error, so a WGS-84 point is taken as CGCS2000 and projected with pyproj (PROJ's Gauss-Kruger, the
EPSG zone definitions with the zone number in the false easting, as 数字城管 platforms use them).
"""

from __future__ import annotations

from functools import cache

from pyproj import Transformer

from bot.uplink.vendor.mapping import VendorMapping
from models.geo import Point, gcj02_to_wgs84, wgs84_to_gcj02

FIRST_ZONE, FIRST_ZONE_EPSG = 25, 4513  # EPSG:4513 = CGCS2000 / 3-degree Gauss-Kruger zone 25 ... 4533 = zone 45


@cache
def _gauss_kruger(zone: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{FIRST_ZONE_EPSG + zone - FIRST_ZONE}", always_xy=True)


def platform_xy(mapping: VendorMapping, wgs84: Point) -> tuple[float, float]:
    """(x, y): lon/lat for wgs84 and gcj02, (easting with zone, northing) in metres for cgcs2000_gk3."""
    if mapping.coordinates == "gcj02":
        shifted = wgs84_to_gcj02(wgs84)
        return shifted.lon, shifted.lat
    if mapping.coordinates == "cgcs2000_gk3" and mapping.gk_zone is not None:
        x, y = _gauss_kruger(mapping.gk_zone).transform(wgs84.lon, wgs84.lat)
        return round(x, 3), round(y, 3)
    return wgs84.lon, wgs84.lat


def to_wgs84(mapping: VendorMapping, x: float, y: float) -> Point:
    """The inverse, for the stand-in's check that a point lies in the district."""
    if mapping.coordinates == "cgcs2000_gk3" and mapping.gk_zone is not None:
        lon, lat = _gauss_kruger(mapping.gk_zone).transform(x, y, direction="INVERSE")
        return Point(lat, lon)
    return gcj02_to_wgs84(Point(y, x)) if mapping.coordinates == "gcj02" else Point(y, x)
