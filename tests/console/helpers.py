"""Console test helpers: staff with passwords, the CSRF token of a page, signing in."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from bot.db import transaction
from bot.service import Service
from console.passwords import hash_password
from models import Identity, User

PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def give_password(service: Service, user_id: int, login: str, password: str = PASSWORD) -> None:
    with transaction(service.sessions) as s:
        user = s.get(User, user_id)
        assert user is not None
        user.login, user.password_hash = login, hash_password(password)


def user_id_of(service: Service, wecom_userid: str) -> int:
    with service.sessions() as s:
        return s.scalars(select(Identity.user_id).where(Identity.external_id == wecom_userid)).one()


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, login: str, password: str = PASSWORD, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    page = client.get("/console/login")
    return client.post("/console/login", data={"login": login, "password": password,
                                               "csrf_token": csrf_token(page.get_data(as_text=True))},
                       environ_base={"REMOTE_ADDR": address})


def with_public_url(service: Service, url: str) -> None:
    """The service as deployed at `url` (WeCom sign-in redirects back to it)."""
    from dataclasses import replace

    service.config = replace(service.config, platform=replace(service.config.platform, public_url=url))
