"""#16: nothing public that should not be. An anonymous read is refused; a public read (public mode,
or a key without the `private` scope) shows no identity, no unmasked number, a place snapped to
~50 m, and a photo link, stable across calls, to a copy without EXIF with the face and plate blurred."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from bot import photostore
from bot.app import create_app
from bot.config import Config
from bot.db import transaction
from bot.open311.keys import create_key
from bot.open311.read_links import prepare_read_links
from bot.service import Service
from models import Case, CaseStatus, Identity, Photo, PhotoRole, PhotoStatus, Role, utcnow
from models.photo_links import PhotoLink
from models.users import CHANNEL_MP
from tests.factories import make_case, make_user
from tests.privacy_public.street_photo import SERIAL, street_photo

BASE = "/open311/v2"
OPENID = "oResidentOpenId0000000000042"
PHONE = "13800001111"
INTERNAL = "举报人王某(电话13800001111)系恶意举报"
LAT, LON = 39.908723, 116.397468


@pytest.fixture
def public_service(service: Service) -> Iterator[Service]:
    """The same database and data dir in public read mode (`service` empties the tables afterwards)."""
    public = Service.build(Config.from_env({"DATABASE_URL": service.config.database_url,
                                            "CHENGGUAN_DATA_DIR": str(service.config.data_dir),
                                            "CHENGGUAN_OPEN311_PUBLIC_READ": "1"}))
    yield public
    public.dispose()


def reported_case(service: Service) -> str:
    """A resident's report with their phone number in it and a street photo, later rejected with an
    internal note; the photo's links made as the scheduler would."""
    photo = street_photo()
    with transaction(service.sessions) as s:
        resident = make_user(s, Role.RESIDENT, name="王小明")
        s.add(Identity(user_id=resident.id, channel=CHANNEL_MP, external_id=OPENID))
        case = make_case(s, reporter_id=resident.id, description=f"路口垃圾很多, 联系我 {PHONE}, 车牌京A12345挡路",
                         lat=LAT, lon=LON, address="长安街1号")
        path, digest = photostore.save(photostore.store_for(service.config), photo.jpeg, utcnow())
        s.add(Photo(case_id=case.id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path=path,
                    sha256=digest, size=len(photo.jpeg)))
        case.transition(CaseStatus.REJECTED, make_user(s, Role.REVIEWER), note=INTERNAL)
        number = case.number
    assert prepare_read_links(service) == 1
    return number


def test_an_anonymous_read_is_refused_with_a_georeport_error(service) -> None:  # type: ignore[no-untyped-def]
    number = reported_case(service)
    anonymous = create_app(service=service).test_client()
    for path in (f"{BASE}/requests.json", f"{BASE}/requests/{number}.json"):
        answer = anonymous.get(path)
        assert answer.status_code == 401
        [error] = answer.get_json()
        assert error["code"] == 401 and "api_key" in error["description"] and "申请" in error["description"]
        assert PHONE not in answer.get_data(as_text=True)
    xml = anonymous.get(f"{BASE}/requests.xml")
    assert xml.status_code == 401 and b"<errors>" in xml.data
    assert anonymous.get(f"{BASE}/requests.json?api_key=cg_wrong").status_code == 401
    assert anonymous.get(f"{BASE}/services.json").status_code == 200  # the service list holds nobody's data


def test_a_public_read_shows_no_identity_masked_numbers_and_a_snapped_place(public_service) -> None:  # type: ignore[no-untyped-def]
    number = reported_case(public_service)
    client = create_app(service=public_service).test_client()
    listing = client.get(f"{BASE}/requests.json")
    assert listing.status_code == 200 and listing.headers["Cache-Control"].startswith("public")
    body = listing.get_data(as_text=True)
    for secret in (OPENID, "王小明", PHONE, "王某", "恶意举报", "京A12345"):
        assert secret not in body
    [item] = listing.get_json()
    assert "138****1111" in item["description"] and "京A·****5" in item["description"]
    assert item["status_notes"] == "不予受理"
    assert (item["lat"], item["long"]) != (LAT, LON)
    assert _metres(item["lat"], item["long"], LAT, LON) <= 36  # within a 50 m cell: at most half its diagonal
    assert client.get(f"{BASE}/requests/{number}.xml").get_data(as_text=True).count(PHONE) == 0


def test_the_public_photo_has_no_exif_and_the_face_and_plate_are_blurred(public_service) -> None:  # type: ignore[no-untyped-def]
    reported_case(public_service)
    client = create_app(service=public_service).test_client()
    url = client.get(f"{BASE}/requests.json").get_json()[0]["media_url"]
    assert url.startswith("/media/")
    served = client.get(url)
    assert served.status_code == 200 and served.content_type == "image/jpeg"
    assert b"Exif" not in served.data and SERIAL.encode() not in served.data
    public = Image.open(io.BytesIO(served.data))
    assert not public.getexif() and public.size == (1600, 1200)
    photo = street_photo()
    original = Image.open(io.BytesIO(photo.jpeg))
    for box in (photo.face, photo.plate):  # detail (edges) gone where the face and the plate are
        assert _sharpness(public.crop(box)) < 0.15 * _sharpness(original.crop(box))
    untouched = (1400, 100, 1560, 300)  # away from both: the rest of the photo is as it was
    assert _sharpness(public.crop(untouched)) == pytest.approx(_sharpness(original.crop(untouched)), abs=2.0)


def test_links_are_stable_across_calls_and_audiences_differ(public_service) -> None:  # type: ignore[no-untyped-def]
    number = reported_case(public_service)
    with transaction(public_service.sessions) as s:
        private_key = create_key(s, "city-hall", private=True)
        plain_key = create_key(s, "newsroom")
    client = create_app(service=public_service).test_client()
    urls = {client.get(f"{BASE}/requests.json").get_json()[0]["media_url"] for _ in range(3)}
    urls.add(client.get(f"{BASE}/requests/{number}.json").get_json()[0]["media_url"])
    prepare_read_links(public_service)  # a later run renews nothing that is still good
    urls.add(client.get(f"{BASE}/requests.json").get_json()[0]["media_url"])
    assert len(urls) == 1
    [keyed] = client.get(f"{BASE}/requests.json?api_key={plain_key}").get_json()
    assert keyed["media_url"] in urls and PHONE not in keyed["description"]  # no `private` scope: as public
    [private] = client.get(f"{BASE}/requests.json", headers={"X-Api-Key": private_key}).get_json()
    assert PHONE in private["description"] and (private["lat"], private["long"]) == (LAT, LON)
    assert private["media_url"] not in urls
    assert client.get(private["media_url"]).data == street_photo().jpeg  # the original, EXIF and all
    with public_service.sessions() as s:
        assert s.scalar(select(PhotoLink.audience).where(PhotoLink.token == urls.pop().rsplit("/", 1)[1])) == "public"
        assert s.scalars(select(Case.status)).one() == CaseStatus.REJECTED


def _sharpness(im: Image.Image) -> float:
    """Mean absolute difference of neighbouring pixels: high where there are edges and text."""
    gray = np.asarray(im.convert("L"), dtype=np.float32)
    return float(np.abs(np.diff(gray, axis=0)).mean() + np.abs(np.diff(gray, axis=1)).mean())


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat1 - lat2) * 111_320
    dx = (lon1 - lon2) * 111_320 * math.cos(math.radians(lat2))
    return math.hypot(dx, dy)
