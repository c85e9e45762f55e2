"""The queue: street scope exactly as in chat, tabs with counts, filters, deadline order, 50 a page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.db import transaction
from handlers.cases import may_act_on, scope_clause
from models import Case, CaseStatus, Role, User, utcnow
from tests.console.helpers import sign_in
from tests.factories import make_case, make_user

NUMBERS = re.compile(r"/console/cases/(\d+)")


def numbers(html: str) -> list[str]:
    return NUMBERS.findall(html)


def test_a_street_reviewer_sees_only_their_street(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    html = client.get("/console/").get_data(as_text=True)
    assert set(numbers(html)) == set(seeded.east_cases[:2])
    assert "西街" not in html
    # asking for the other street by its code shows nothing of it
    other = client.get("/console/?street=W").get_data(as_text=True)
    assert not set(numbers(other)) & set(seeded.west_cases) and "没有您可查看的街道" in other
    for tab in ("reported", "submitted"):
        assert not set(numbers(client.get(f"/console/?tab={tab}").get_data(as_text=True))) & set(seeded.west_cases)


def test_the_admin_sees_every_street_and_filters_by_street(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "admin")
    assert set(numbers(client.get("/console/").get_data(as_text=True))) == {*seeded.east_cases[:2], seeded.west_cases[0]}
    assert numbers(client.get("/console/?street=W").get_data(as_text=True)) == [seeded.west_cases[0]]


def test_tabs_counts_order_and_overdue(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    html = client.get("/console/").get_data(as_text=True)
    counts = dict(re.findall(r'>(\S+) <span class="count">(\d+)</span>', html))
    assert counts == {"待受理": "2", "处置中": "0", "待审核": "1", "返工": "0", "已结案": "0"}
    overdue, later = seeded.east_cases[1], seeded.east_cases[0]
    assert numbers(html) == [overdue, later]  # by deadline, the overdue one first
    row = html.split(f"/console/cases/{overdue}")[0].rsplit("<tr", 1)[1]
    assert 'class="overdue"' in row
    only_overdue = client.get("/console/?overdue=1").get_data(as_text=True)
    assert numbers(only_overdue) == [overdue]
    assert numbers(client.get("/console/?source=patrol").get_data(as_text=True)) == [overdue]
    assert numbers(client.get("/console/?tab=submitted").get_data(as_text=True)) == [seeded.east_cases[2]]


def test_bad_filters_are_explained_and_ignored(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    html = client.get("/console/?category=X9999&source=mars&page=-3&tab=nope").get_data(as_text=True)
    assert "没有分类" in html and "没有这种案件来源" in html
    assert set(numbers(html)) == set(seeded.east_cases[:2])
    for page in ("²", "9" * 5000, "0", ""):
        response = client.get("/console/", query_string={"page": page})
        assert response.status_code == 200 and set(numbers(response.get_data(as_text=True))) == set(seeded.east_cases[:2])


def test_category_filter(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        waste = make_case(s, street_id=seeded.east)
        waste.category_code = "E0502"
        number = waste.number
    client = app.test_client()
    sign_in(client, "east")
    html = client.get("/console/?category=e0502").get_data(as_text=True)
    assert numbers(html) == [number] and "占道经营" in html


def test_reworked_twice_filter_and_category_labels(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        counts = {make_case(s, CaseStatus.RETURNED, street_id=seeded.east).number: n for n in (1, 2, 3)}
        for case in s.scalars(select(Case).where(Case.number.in_(counts))):
            case.rework_count = counts[case.number]
    client = app.test_client()
    sign_in(client, "east")
    html = client.get("/console/?tab=returned&reworked=1").get_data(as_text=True)
    assert set(numbers(html)) == {n for n, c in counts.items() if c >= 2}
    assert 'name="reworked" value="1" checked' in html
    assert "市容环境/暴露垃圾" in html and "<td>E0102</td>" not in html  # the label, not the raw code
    assert len(numbers(client.get("/console/?tab=returned").get_data(as_text=True))) == 3


def test_fifty_a_page(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(service.sessions) as s:
        made = [make_case(s, street_id=seeded.west, deadline=now + timedelta(hours=i + 30)).number for i in range(60)]
    client = app.test_client()
    sign_in(client, "west")
    first = numbers(client.get("/console/").get_data(as_text=True))
    second_html = client.get("/console/?page=2").get_data(as_text=True)
    second = numbers(second_html)
    assert len(first) == 50 and len(second) == 11 and not set(first) & set(second)
    assert set(first + second) == {seeded.west_cases[0], *made}
    assert "2 / 2" in second_html and numbers(client.get("/console/?page=99").get_data(as_text=True)) == second


def test_scope_clause_agrees_with_may_act_on(service, seeded) -> None:  # type: ignore[no-untyped-def]
    """The queue's SQL and the chat's check are one rule: compare them on every user and case."""
    with transaction(service.sessions) as s:
        officer = make_user(s, Role.OFFICER, "队员", unit_id=None)
        make_case(s, CaseStatus.RECTIFYING, street_id=seeded.east, assignee_id=officer.id)
        make_case(s, street_id=None)
        make_user(s, Role.REVIEWER, "区级审核员")
    with service.sessions() as s:
        cases = s.scalars(select(Case)).all()
        for user in s.scalars(select(User)).all():
            visible = set(s.scalars(select(Case.id).where(scope_clause(user))))
            assert visible == {c.id for c in cases if may_act_on(user, c)}, user
