"""The few EXIF facts that serve as evidence: capture time, GPS, camera, editing software."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_MAKE, _MODEL, _SOFTWARE, _ORIENTATION, _DATETIME = 0x010F, 0x0110, 0x0131, 0x0112, 0x0132
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011


@dataclass(frozen=True)
class ExifFacts:
    datetime_original: str | None = None  # ISO 8601; with offset only when EXIF gives one
    gps_lat: float | None = None
    gps_lon: float | None = None
    make: str | None = None
    model: str | None = None
    software: str | None = None
    orientation: int | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in asdict(self).values())

    def taken_at(self, assume_tz: timezone | None = None) -> datetime | None:
        """Capture time; naive EXIF times get `assume_tz` (photos are local time, China: UTC+8)."""
        if self.datetime_original is None:
            return None
        dt = datetime.fromisoformat(self.datetime_original)
        if dt.tzinfo is None and assume_tz is not None:
            dt = dt.replace(tzinfo=assume_tz)
        return dt


CHINA_TZ = timezone(timedelta(hours=8))


def read_exif_facts(exif: Image.Exif) -> ExifFacts:
    """Extract facts; anything malformed is simply absent (EXIF is evidence, never a requirement)."""
    if not exif:
        return ExifFacts()
    sub = _safe_ifd(exif, _EXIF_IFD)
    gps = _safe_ifd(exif, _GPS_IFD)
    lat = _gps_coord(gps.get(2), gps.get(1), "S")
    lon = _gps_coord(gps.get(4), gps.get(3), "W")
    if lat is None or lon is None or (lat == 0 and lon == 0):
        lat = lon = None
    orientation = exif.get(_ORIENTATION)
    return ExifFacts(
        datetime_original=_exif_datetime(sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME),
                                         sub.get(_OFFSET_TIME_ORIGINAL)),
        gps_lat=lat,
        gps_lon=lon,
        make=_text(exif.get(_MAKE)),
        model=_text(exif.get(_MODEL)),
        software=_text(exif.get(_SOFTWARE)),
        orientation=int(orientation) if isinstance(orientation, int) else None,
    )


def _safe_ifd(exif: Image.Exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:  # malformed IFD pointers are common in edited files
        return {}


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def _exif_datetime(value: object, offset: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        dt = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    off = _text(offset)
    if off and len(off) == 6 and off[0] in "+-":
        try:
            dt = dt.replace(tzinfo=datetime.strptime(off.replace(":", ""), "%z").tzinfo)
        except ValueError:
            pass
    return dt.isoformat()


def _gps_coord(value: object, ref: object, negative_ref: str) -> float | None:
    try:
        d, m, s = (float(x) for x in value)  # type: ignore[union-attr]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    coord = d + m / 60 + s / 3600
    if not math.isfinite(coord):
        return None
    if _text(ref) == negative_ref:
        coord = -coord
    return coord


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))
