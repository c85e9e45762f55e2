from datetime import datetime

from PIL import Image

from photocheck import check_rectification, fingerprint, originality_signals
from tests.photocheck.conftest import jpeg_bytes, textured
from tests.photoedits import chat_copy, edited, warm
from tests.photos import photo

DISPATCH = datetime(2025, 6, 1, 9, 0)
CASE = (31.2304, 121.4737)  # Shanghai, People's Square


def _with_exif(software: str | None = None, taken: str | None = None,
               gps: tuple[float, float] | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"
    if software:
        exif[0x0131] = software
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        lat, lon = gps
        g = exif.get_ifd(0x8825)
        g[1], g[2] = "N", _dms(lat)
        g[3], g[4] = "E", _dms(lon)
    return jpeg_bytes(textured(640, 480, seed=5), exif=exif)


def _dms(x: float) -> tuple[float, float, float]:
    d = int(x)
    m = int((x - d) * 60)
    return (float(d), float(m), round(((x - d) * 60 - m) * 60, 4))


def _codes(data: bytes, **kw) -> set[str]:
    return {s.code for s in originality_signals(fingerprint(data), **kw) if s.weight >= 1.0}


def test_editing_software_is_flagged() -> None:
    assert _codes(_with_exif(software="Adobe Photoshop 25.0 (Windows)")) == {"not_original.edited"}
    assert _codes(_with_exif(software="MIUI Camera")) == set()


def test_capture_before_dispatch_is_stale() -> None:
    old = _with_exif(taken="2025:05:20 14:00:00")
    fresh = _with_exif(taken="2025:06:01 10:30:00")
    assert _codes(old, not_before=DISPATCH) == {"not_original.stale"}
    assert _codes(fresh, not_before=DISPATCH) == set()


def test_gps_far_from_case() -> None:
    far = _with_exif(gps=(31.30, 121.50))  # about 8 km away
    near = _with_exif(gps=(31.2310, 121.4740))
    assert fingerprint(far).exif.gps_lat is not None
    assert _codes(far, expected_location=CASE) == {"not_original.far"}
    assert _codes(near, expected_location=CASE) == set()


def test_missing_exif_never_fails() -> None:
    problem = photo("motorcycle_left")
    rectified = photo("motorcycle_right")  # the same spot, a separate shot; no EXIF at all
    assert fingerprint(rectified).exif.empty
    verdict = check_rectification(problem, rectified, not_before=DISPATCH, expected_location=CASE)
    assert verdict.ok, verdict.reasons


def test_verdict_reasons_for_reuse_and_angle() -> None:
    problem = photo("motorcycle_left")
    v = check_rectification(problem, edited("motorcycle_left", "jpeg50"))
    assert not v.ok and v.reasons[0].code == "not_original.reused"
    assert v.reasons[0].fix_zh
    v = check_rectification(problem, photo("coffee"))
    assert [r.code for r in v.reasons] == ["angle.mismatch"]
    assert v.reasons[0].message_zh == "与问题照片角度不一致"


def test_reuse_of_an_earlier_photo() -> None:
    earlier = photo("astronaut")
    resent = chat_copy("astronaut")
    problem = photo("motorcycle_left")
    v = check_rectification(problem, resent, earlier=[("case-41", fingerprint(earlier))])
    assert "not_original.reused" in {r.code for r in v.reasons}
    assert v.reused_from == ("case-41",)


def test_screenshot_signal() -> None:
    fp = fingerprint(edited("chelsea", "shot_light"))
    assert sum(s.weight for s in originality_signals(fp) if s.code == "not_original.screenshot") >= 0.9


def test_earlier_candidates_confirmed_by_pixels() -> None:
    store = {"old-1": photo("coffee"), "old-2": photo("chelsea")}
    recoloured = warm("coffee")  # pHash 2 bits off: beyond the hash-only radius
    problem = photo("motorcycle_left")
    prints = [(k, fingerprint(v)) for k, v in store.items()]
    strict = check_rectification(problem, recoloured, earlier=prints)
    confirmed = check_rectification(problem, recoloured, earlier=prints, fetch_earlier=store.get)
    assert strict.reused_from == ()
    assert confirmed.reused_from == ("old-1",)
