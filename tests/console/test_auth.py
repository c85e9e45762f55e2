"""Console sign-in: no page or photo without a session, CSRF on every form, rate-limited logins,
sessions that end on logout and on a password change."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from console import ratelimit
from models import Case, LoginAttempt, Photo, PhotoRole, PhotoStatus, utcnow
from tests.console.helpers import PASSWORD, csrf_token, give_password, sign_in
from tests.photos import photo as sample_photo


def test_pages_and_photos_need_a_session(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        case = s.scalars(select(Case).where(Case.number == seeded.east_cases[0])).one()
        photo = Photo(case_id=case.id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path="p.jpg")
        s.add(photo)
    (service.config.photo_dir / "p.jpg").write_bytes(sample_photo("coffee"))  # a reviewer is shown its redacted copy
    client = app.test_client()
    for path in ("/console/", f"/console/cases/{seeded.east_cases[0]}", f"/console/photos/{photo.id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"], path
    sign_in(client, "east")
    assert client.get(f"/console/photos/{photo.id}").status_code == 200  # the same URL, signed in
    page = client.get("/console/login").get_data(as_text=True)
    assert "企业微信登录未开通" in page


def test_sign_in_and_out(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = sign_in(client, "east")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")
    cookie = client.get_cookie("chengguan_console", path="/console")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    queue = client.get("/console/")
    assert queue.status_code == 200 and "东街审核员" in queue.get_data(as_text=True)
    assert queue.headers["Cache-Control"] == "no-store" and queue.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in queue.headers["Content-Security-Policy"]
    logout = client.post("/console/logout", data={"csrf_token": csrf_token(queue.get_data(as_text=True))})
    assert logout.status_code == 302
    assert client.get("/console/").status_code == 302


def test_wrong_password_and_unknown_name_get_the_same_answer(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    wrong = sign_in(client, "east", "not-the-password")
    unknown = sign_in(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(as_text=True)
    alert = re.compile(r'role="alert">([^<]*)<')
    assert alert.findall(wrong.get_data(as_text=True)) == alert.findall(unknown.get_data(as_text=True))
    assert client.get("/console/").status_code == 302


def test_only_reviewers_and_admins_sign_in(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    from bot.db import transaction
    from models import Role
    from tests.factories import make_user

    with transaction(service.sessions) as s:
        officer = make_user(s, Role.OFFICER, "队员").id
    give_password(service, officer, "officer")
    assert sign_in(app.test_client(), "officer").status_code == 401


def test_post_without_csrf_token_is_refused(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert client.post("/console/login", data={"login": "east", "password": PASSWORD}).status_code == 400
    sign_in(client, "east")
    number = seeded.east_cases[0]
    refused = client.post(f"/console/cases/{number}/accept", data={})
    assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    forged = client.post(f"/console/cases/{number}/accept", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    from tests.staff.scenario import case

    assert case(service, number).status == "reported"


def test_logins_are_rate_limited_per_name_and_per_address(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(ratelimit.MAX_FAILURES_PER_LOGIN):
        assert sign_in(client, "east", "wrong-password", address="10.0.0.1").status_code == 401
    blocked = sign_in(client, "east", address="10.0.0.2")  # the right password, from elsewhere: still blocked
    assert blocked.status_code == 401 and "登录失败次数过多" in blocked.get_data(as_text=True)
    assert sign_in(client, "west", address="10.0.0.2").status_code == 302  # other names are not affected

    other = app.test_client()
    for n in range(ratelimit.MAX_FAILURES_PER_ADDRESS):
        sign_in(other, f"guess{n}", "wrong-password", address="10.0.0.9")
    assert "登录失败次数过多" in sign_in(other, "admin", address="10.0.0.9").get_data(as_text=True)
    assert sign_in(other, "admin", address="10.0.0.10").status_code == 302
    with service.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) <= 2 + ratelimit.MAX_FAILURES_PER_LOGIN * 2 + ratelimit.MAX_FAILURES_PER_ADDRESS + 2


def test_old_failures_fall_out_of_the_window(app, service, seeded, time_machine) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(ratelimit.MAX_FAILURES_PER_LOGIN):
        sign_in(client, "east", "wrong-password")
    assert sign_in(client, "east").status_code == 401
    time_machine.move_to(utcnow() + ratelimit.WINDOW + timedelta(minutes=1))
    assert sign_in(client, "east").status_code == 302


def test_a_new_password_signs_out_old_sessions(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    assert client.get("/console/").status_code == 200
    give_password(service, seeded.east_reviewer, "east", "another-long-password")
    assert client.get("/console/").status_code == 302


def test_next_only_leads_inside_the_console(app, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    for target, expected in (("//evil.example/x", "/console/"), ("https://evil.example/", "/console/"),
                             (f"/console/cases/{seeded.east_cases[0]}", f"/console/cases/{seeded.east_cases[0]}")):
        response = client.post(f"/console/login?next={target}",
                               data={"login": "east", "password": PASSWORD, "csrf_token": csrf_token(page)})
        assert response.status_code == 302 and response.headers["Location"] == expected, target
        page = client.get("/console/login").get_data(as_text=True)


def test_cookie_is_secure_behind_https(database_url, tmp_path, service) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_app
    from bot.config import Config

    config = Config.from_env({"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data"),
                              "CHENGGUAN_PUBLIC_URL": "https://chengguan.example.gov.cn"})
    service.config = config
    response = create_app(service=service).test_client().get("/console/login", base_url="https://chengguan.example.gov.cn")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
