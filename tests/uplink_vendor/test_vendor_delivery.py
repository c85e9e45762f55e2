"""An accepted case reaches the 数字城管-style platform exactly once, with its GB/T 30428 codes, grid,
community, CGCS2000 coordinates and the photo uploaded first; what cannot go is parked with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyproj import Transformer
from sqlalchemy import select

from bot import photostore
from bot.config import ConfigError
from bot.db import transaction
from bot.service import Service
from handlers.catalog import categories
from models import (Case, CaseSource, CaseStatus, GridCell, JobStatus, Photo, PhotoRedaction, PhotoRole, PhotoStatus, Role,
                    utcnow)
from models.geo import Point, wgs84_to_gcj02
from models.platform import PlatformDelivery
from models.reporting import Place, open_case
from tests.factories import make_user
from tests.photos import photo
from tests.resident.test_report_flow import EAST, seed_streets
from bot.jobs import job_handlers
from bot.worker import Worker
from models.outbox import enqueue
from tests.uplink.helpers import drain, jobs, take_steps, uplink_config
from tests.uplink_vendor.conftest import filing_with
from tests.uplink_vendor.standin import CLOSED, REWORK

GRID = "110105001002003"
S = CaseStatus
TO_ZONE_39 = Transformer.from_crs("EPSG:4326", "EPSG:4527", always_xy=True)
INSIDE, WEST_SIDE = Point(39.905, 116.315), Point(39.905, 116.305)


def _accepted(service: Service, where: Point, with_photo: bool = True) -> str:
    """A resident's report (暴露垃圾) at `where`, with a photo on disk, accepted by a reviewer."""
    with service.sessions() as s:
        seeded = s.scalars(select(GridCell.id)).first() is not None
    if not seeded:  # the east street is one grid cell, the west street has none
        east = seed_streets(service)["east"]
        with transaction(service.sessions) as s:
            s.add(GridCell(code=GRID, street_id=east, polygon=EAST, community_code=GRID[:12], community_name="幸福社区"))
    with transaction(service.sessions) as s:
        case = open_case(s, source=CaseSource.SNAPSHOT, category=categories().by_name("市容环境/暴露垃圾"),
                         description="垃圾堆在路口", place=Place(gcj=wgs84_to_gcj02(where), address="东街路口"),
                         reporter=None, now=utcnow())
        if with_photo:
            data = photo("motorcycle_left")
            key, digest = photostore.save(photostore.store_for(service.config), data, utcnow())
            s.add(Photo(case_id=case.id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED,
                        storage_path=key, sha256=digest, size=len(data)))
        case.transition(CaseStatus.ACCEPTED, make_user(s, Role.REVIEWER), note="受理")
        return case.number


def test_an_accepted_case_arrives_once_with_codes_grid_coordinates_and_photo(vendor_uplink, vendor) -> None:  # type: ignore[no-untyped-def]
    number = _accepted(vendor_uplink, INSIDE)
    drain(vendor_uplink)

    (report,) = vendor.reports_of(number)
    assert (report["caseTypeCode"], report["mainTypeCode"], report["subTypeCode"]) == ("02", "01", "0102")
    assert (report["cellGridCode"], report["communityCode"], report["streetCode"]) == (GRID, GRID[:12], "110105001")
    x, y = TO_ZONE_39.transform(INSIDE.lon, INSIDE.lat)
    assert abs(report["coordinateX"] - x) < 0.01 and abs(report["coordinateY"] - y) < 0.01  # the same point, to 1 cm
    assert str(report["coordinateX"]).startswith("39")  # the zone number in the easting
    (attachment,) = report["attachIds"]
    with vendor_uplink.sessions() as s:  # the redacted copy leaves the service, not the original
        copy = s.scalars(select(PhotoRedaction.storage_path)).one()
    assert vendor.files[attachment] == photostore.store_for(vendor_uplink.config).get(copy) != photo("motorcycle_left")
    with vendor_uplink.sessions() as s:
        delivery = s.scalars(select(PlatformDelivery)).one()
        assert delivery.target == "vendor" and delivery.service_request_id == report["caseId"]
    assert [job.status for job in jobs(vendor_uplink, "vendor.push")] == [JobStatus.DONE]


def test_a_lost_answer_is_looked_up_not_filed_again(vendor_uplink, vendor) -> None:  # type: ignore[no-untyped-def]
    vendor.faults.drop_next, vendor.faults.fail_next = 1, 0
    first = _accepted(vendor_uplink, INSIDE)
    drain(vendor_uplink)  # the report is recorded, the answer lost; the retry finds it by our number
    vendor.faults.fail_next = 2  # then an outage: retried, still once
    second = _accepted(vendor_uplink, INSIDE, with_photo=False)
    drain(vendor_uplink)

    assert len(vendor.reports_of(first)) == 1 and len(vendor.reports_of(second)) == 1
    with vendor_uplink.sessions() as s:
        ids = {d.case_id: d.service_request_id for d in s.scalars(select(PlatformDelivery))}
        number_of = {c.id: c.number for c in s.scalars(select(Case))}
    assert {number_of[case_id]: found for case_id, found in ids.items()} == {
        first: vendor.reports_of(first)[0]["caseId"], second: vendor.reports_of(second)[0]["caseId"]}


def test_a_case_outside_every_grid_is_parked_saying_why_in_one_line(vendor_uplink, vendor) -> None:  # type: ignore[no-untyped-def]
    number = _accepted(vendor_uplink, WEST_SIDE)  # the west street has no grid cells
    drain(vendor_uplink)
    (job,) = jobs(vendor_uplink, "vendor.push")
    assert job.status == JobStatus.PARKED and "\n" not in job.last_error
    assert f"案件 {number} 不在任何单元网格内" in job.last_error and "grids import" in job.last_error
    assert vendor.reports_of(number) == []


def test_a_refusal_in_the_platforms_own_shape_is_parked_as_one_line(vendor_uplink, vendor, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("tests.uplink_vendor.standin.STREETS", {"110105009"})  # the platform no longer knows ours
    number = _accepted(vendor_uplink, INSIDE)
    drain(vendor_uplink)
    (job,) = jobs(vendor_uplink, "vendor.push")
    assert job.status == JobStatus.PARKED and "\n" not in job.last_error
    assert "E100 区或街道编码无效" in job.last_error and vendor.reports_of(number) == []


@pytest.mark.parametrize(("change", "key"), [
    (lambda m: m["fields"].pop("grid"), "fields.grid"),
    (lambda m: m["auth"].update(kind="password"), "auth.kind"),
    (lambda m: m["coordinates"].update(zone=12), "coordinates.zone"),
    (lambda m: m["categories"]["E0102"].pop("condition"), "categories.E0102.condition"),
    (lambda m: m["answers"].pop("id_path"), "answers.id_path"),
])
def test_a_bad_mapping_is_refused_at_start_naming_the_key(database_url, tmp_path, change, key) -> None:  # type: ignore[no-untyped-def]
    shipped = Path(__file__).resolve().parents[2] / "models" / "data" / "platforms" / "szcg.json"
    mapping = json.loads(shipped.read_text(encoding="utf-8"))
    change(mapping)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        uplink_config(database_url, tmp_path, PLATFORM_VENDOR_URL="http://127.0.0.1:9",
                      PLATFORM_VENDOR_MAPPING=str(path), PLATFORM_VENDOR_SECRET="s")
    assert f"bad.json 的 {key}" in str(refused.value)


def _poll(service: Service, label: str) -> None:
    """One status poll now (the scheduled one waits for its slot)."""
    with transaction(service.sessions) as s:
        enqueue(s, "vendor.poll", {}, key=f"test:poll:{label}")
    Worker(service, job_handlers()).run_until_idle()


def test_the_platforms_rework_and_close_come_back(vendor_uplink, vendor) -> None:  # type: ignore[no-untyped-def]
    number = _accepted(vendor_uplink, INSIDE)
    drain(vendor_uplink)
    take_steps(vendor_uplink, number, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED)
    drain(vendor_uplink)  # our verify is the platform's own step: nothing more is filed
    (report,) = vendor.reports_of(number)

    vendor.set_status(report["caseId"], REWORK, "整改照片看不出变化")
    _poll(vendor_uplink, "rework")
    with vendor_uplink.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.status == S.RETURNED and "整改照片看不出变化" in case.events[-1].note

    take_steps(vendor_uplink, number, S.SUBMITTED, S.VERIFIED)
    vendor.set_status(report["caseId"], CLOSED, "核查通过")
    _poll(vendor_uplink, "close")
    with vendor_uplink.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.status == S.CLOSED and case.events[-1].data["origin"] == "platform"
    assert len(vendor.reports_of(number)) == 1


def test_a_wrong_secret_is_refused_by_the_signature_check_and_parked(database_url, tmp_path, vendor) -> None:  # type: ignore[no-untyped-def]
    with filing_with(vendor, database_url, tmp_path, "not-the-secret") as service:
        number = _accepted(service, INSIDE)
        drain(service)
        (job,) = jobs(service, "vendor.push")
        assert job.status == JobStatus.PARKED and job.last_error == "平台拒绝 (HTTP 401): E403 签名错误"
        assert vendor.reports_of(number) == [] and vendor.files == {}
