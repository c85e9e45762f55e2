"""The dashboard: this month's indicators and ranking, the chart and the Excel ledger, cut to the
user's scope (a street reviewer never sees another street's cases or figures); none without a session."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.console.helpers import sign_in

PATHS = ("/console/dashboard", "/console/dashboard/chart.png", "/console/dashboard/ledger.xlsx")


def ledger_numbers(data: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheet = book["案件台账"]
    return {str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[0]}


def test_nothing_without_a_session(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for path in PATHS:
        answer = client.get(path)
        assert answer.status_code == 302 and "/console/login" in answer.headers["Location"], path


def test_the_admin_sees_the_district(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "admin")
    html = client.get("/console/dashboard").get_data(as_text=True)
    assert "东街街道" in html and "西街街道" in html and "全区合计" in html and "综合评价" in html
    chart = client.get("/console/dashboard/chart.png")
    assert chart.status_code == 200 and chart.data.startswith(b"\x89PNG")
    ledger = client.get("/console/dashboard/ledger.xlsx")
    assert ledger.status_code == 200 and "attachment" in ledger.headers["Content-Disposition"]
    assert ledger_numbers(ledger.data) == set(seeded.east_cases + seeded.west_cases)


def test_a_street_reviewer_sees_their_street_only(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    html = client.get("/console/dashboard").get_data(as_text=True)
    assert "东街街道" in html and "西街街道" not in html and "全区合计" not in html
    assert ledger_numbers(client.get("/console/dashboard/ledger.xlsx").data) == set(seeded.east_cases)
    assert client.get("/console/dashboard/chart.png").status_code == 200


def test_bad_month_is_explained(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "admin")
    for month, note in (("2026-13", "月份格式应为"), ("1999-01", "只能查看最近"), ("2099-01", "只能查看最近")):
        html = client.get(f"/console/dashboard?month={month}").get_data(as_text=True)
        assert note in html, month
