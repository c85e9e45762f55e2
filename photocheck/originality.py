"""Originality evidence beyond reuse: screenshot signs, editing software, stale capture time, far GPS.

Each finding is a Signal with a weight: 1.0 is enough on its own to fail a photo,
smaller weights are hints that only count together. Missing EXIF is never a signal:
WeChat strips EXIF from photos sent without "原图".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from .exiffacts import CHINA_TZ, haversine_m
from .fingerprint import Fingerprint

# Lower-case substrings of EXIF Software written by editors and beautifiers (not by cameras).
EDITING_SOFTWARE = (
    "photoshop", "lightroom", "gimp", "snapseed", "picsart", "meitu", "美图", "醒图", "faceu",
    "vsco", "pixelmator", "affinity", "paint.net", "canva", "facetune", "polarr", "photoscape",
    "acdsee", "capture one", "luminar", "photodirector", "b612", "wink", "picmonkey", "fotor",
    "remini", "lightx", "pixlr", "inshot", "美颜", "天天p图", "光影魔术手",
)


@dataclass(frozen=True)
class Signal:
    code: str  # a verdict reason code, e.g. not_original.screenshot
    weight: float
    detail: str

    def to_dict(self) -> dict:
        return asdict(self)


def screenshot_signals(fp: Fingerprint) -> list[Signal]:
    out = []
    if fp.screen_size:
        out.append(Signal("not_original.screenshot", 0.6, f"{fp.width}x{fp.height} is a phone screen size"))
    elif fp.screen_aspect:
        out.append(Signal("not_original.screenshot", 0.4, f"{fp.width}x{fp.height} has a phone-screen aspect ratio"))
    if fp.has_border and (fp.screen_size or fp.screen_aspect):
        out.append(Signal("not_original.screenshot", 0.5, f"photo framed by flat bars, content box {fp.content_box}"))
    if fp.format == "PNG":
        out.append(Signal("not_original.screenshot", 0.5, "PNG: phones save screenshots, not camera photos, as PNG"))
    return out


def editing_signals(fp: Fingerprint) -> list[Signal]:
    software = (fp.exif.software or "").lower()
    hits = [name for name in EDITING_SOFTWARE if name in software]
    if hits:
        return [Signal("not_original.edited", 1.0, f"EXIF Software {fp.exif.software!r}")]
    return []


def stale_signals(fp: Fingerprint, not_before: datetime | None, tolerance_s: float = 120.0) -> list[Signal]:
    """EXIF capture time before the dispatch time: the photo was taken before the work was ordered."""
    taken = fp.exif.taken_at(assume_tz=CHINA_TZ)
    if taken is None or not_before is None:
        return []
    ref = not_before if not_before.tzinfo else not_before.replace(tzinfo=CHINA_TZ)
    if taken < ref - timedelta(seconds=tolerance_s):
        return [Signal("not_original.stale", 1.0, f"taken {taken.isoformat()} before {ref.isoformat()}")]
    return []


def far_signals(fp: Fingerprint, expected: tuple[float, float] | None, max_m: float) -> list[Signal]:
    """EXIF GPS (lat, lon) farther than max_m from the expected location (same datum expected)."""
    if expected is None or fp.exif.gps_lat is None or fp.exif.gps_lon is None:
        return []
    dist = haversine_m(fp.exif.gps_lat, fp.exif.gps_lon, expected[0], expected[1])
    if dist > max_m:
        return [Signal("not_original.far", 1.0, f"EXIF GPS {dist:.0f} m from the case location")]
    return []


def originality_signals(fp: Fingerprint, *, not_before: datetime | None = None,
                        expected_location: tuple[float, float] | None = None,
                        max_distance_m: float = 300.0, stale_tolerance_s: float = 120.0) -> list[Signal]:
    return (screenshot_signals(fp) + editing_signals(fp)
            + stale_signals(fp, not_before, stale_tolerance_s)
            + far_signals(fp, expected_location, max_distance_m))
