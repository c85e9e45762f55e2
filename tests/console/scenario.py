"""Cases that went through the real chat flow to 待审核: a resident's report with its photo, accepted
in chat, rectified by an officer whose photo passed photocheck in the worker."""

from __future__ import annotations

from dataclasses import dataclass

from models import CaseStatus, Role
from tests.console.helpers import give_password, user_id_of
from tests.staff.scenario import PROBLEM, SAME_ANGLE, District, case, resident_reports, seed_district, send_photo

# (problem, rectification from the same viewpoint): the test photos hold one such pair, so the second
# case frames the same spot tighter (the centre 40% of each shot), which no check takes for a reused photo
SCENES = [(PROBLEM, SAME_ANGLE), (f"{PROBLEM}#crop60", f"{SAME_ANGLE}#crop60")]


@dataclass
class Submitted:
    district: District
    numbers: list[str]
    residents: list  # type: ignore[type-arg]
    reviewer: object  # the east street's reviewer (WeCom), who can also sign in to the console as "east"
    officer: object


def submitted_cases(service, api, new_user, new_staff, run_worker, count: int = 2) -> Submitted:  # type: ignore[no-untyped-def]
    district = seed_district(service)
    reviewer = new_staff(Role.REVIEWER, "东街审核员", street_id=district.east)
    officer = new_staff(Role.OFFICER, "东街队员", street_id=district.east, unit_id=district.east_unit)
    give_password(service, user_id_of(service, reviewer.openid), "east")
    numbers, residents = [], []
    for problem, rectified in SCENES[:count]:
        resident = new_user()
        number = resident_reports(resident, api, run_worker, problem=problem)
        assert "已受理" in reviewer.send_text(f"受理 {number}").text
        officer.send_text(f"整改 {number}")
        send_photo(officer, api, rectified)
        run_worker()
        assert case(service, number).status == CaseStatus.SUBMITTED, number
        numbers.append(number)
        residents.append(resident)
    return Submitted(district, numbers, residents, reviewer, officer)
