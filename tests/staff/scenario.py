"""A small district for the staff tests: two streets, a unit each, routing rules, and helpers that
drive a resident's report and the worker."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from bot.db import transaction
from models import Case, DispatchRule, Role, Unit
from tests.factories import make_street
from tests.photoedits import photo_or_edit
from tests.resident.test_report_flow import EAST, EAST_POINT_GCJ, WEST

# photo names from tests/photos.py ('name#transform': a copy made in the test, see tests/photoedits.py)
PROBLEM = "motorcycle_left"             # a spot in a garage
SAME_ANGLE = "motorcycle_right"         # the same spot from about the same viewpoint, a separate shot
OTHER_ANGLE = "coffee"                  # another place altogether
COPY_OF_PROBLEM = "motorcycle_left#jpeg50"  # the problem photo re-encoded
RETAKE = "motorcycle_right#bright"      # a later rectification of the spot: see allow_retake()


@dataclass
class District:
    east: int
    west: int
    east_unit: int
    west_unit: int


def seed_district(service, *, routed: bool = True) -> District:  # type: ignore[no-untyped-def]
    """Two streets with a unit each; `routed=False` leaves the routing table empty (nothing dispatches itself)."""
    with transaction(service.sessions) as s:
        east, west = make_street(s, "E", "东街街道", EAST).id, make_street(s, "W", "西街街道", WEST).id
        east_unit, west_unit = Unit(code="E-ZF", name="东街执法队", street_id=east), Unit(code="W-ZF", name="西街执法队", street_id=west)
        s.add_all([east_unit, west_unit])
        s.flush()
        if routed:
            s.add_all([DispatchRule(street_id=east, unit_id=east_unit.id), DispatchRule(street_id=west, unit_id=west_unit.id)])
    return District(east, west, east_unit.id, west_unit.id)


def allow_retake(service) -> None:  # type: ignore[no-untyped-def]
    """The test photos hold two shots of the spot (problem, rectification), so a later rectification
    (RETAKE) is the first one brightened; the copy check, which rightly refuses it, is off from here."""
    service.config = replace(service.config, photocheck_thresholds={"copy": 1.01})


def send_photo(user, api, relative: str):  # type: ignore[no-untyped-def]
    return user.send_image(*api.add_media(photo_or_edit(relative)))


def resident_reports(resident, api, run_worker, problem: str = PROBLEM) -> str:  # type: ignore[no-untyped-def]
    send_photo(resident, api, problem)
    resident.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口")
    resident.send_text("路口有人占道经营")
    resident.send_text("1")
    reply = resident.send_text("确认").text
    run_worker()
    return reply.split("案件编号: ")[1].split()[0]


def case(service, number: str) -> Case:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.scalars(select(Case).where(Case.number == number)).one()


def case_in_rectification(service, api, new_user, new_staff, run_worker):  # type: ignore[no-untyped-def]
    """A resident's case, accepted by a reviewer and being rectified by an officer of the east unit:
    (case number, reviewer, officer). The officer took it before the worker ran, so the dispatch card
    (我来处理) is never sent: it would ask for what is done already."""
    district = seed_district(service)
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    number = resident_reports(new_user(), api, run_worker)
    reviewer.send_text(f"受理 {number}")
    officer.send_text(f"整改 {number}")
    return number, reviewer, officer


def district_unit_officer(service, new_staff):  # type: ignore[no-untyped-def]
    """A district-wide unit 区市政所 (Q-SZ) to 改派 to, and its officer: (unit id, the officer's chat)."""
    with transaction(service.sessions) as s:
        unit = Unit(code="Q-SZ", name="区市政所", street_id=None)
        s.add(unit)
        s.flush()
        unit_id = unit.id
    return unit_id, new_staff(Role.OFFICER, "市政队员", unit_id=unit_id)
