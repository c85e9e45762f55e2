"""The console's photo page on either store: the reviewer of the case's street sees the photo's redacted copy
(private cache only), anyone else 404, and a row whose object is gone is a 404 too, not a 500."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import create_app
from bot.db import transaction
from bot.photostore import save, store_for
from models import Photo, PhotoRedaction, PhotoRole, PhotoStatus, Role, utcnow
from tests.console.helpers import give_password, sign_in
from tests.factories import make_case, make_street, make_user
from tests.photos import photo
from tests.staff.scenario import PROBLEM


def test_a_reviewer_sees_the_photos_of_their_street_only(service) -> None:  # type: ignore[no-untyped-def]
    key, _ = save(store_for(service.config), photo(PROBLEM), utcnow())
    with transaction(service.sessions) as s:
        east, west = make_street(s, "E", "东街街道").id, make_street(s, "W", "西街街道").id
        ours, theirs = make_user(s, Role.REVIEWER, "东街审核员", street_id=east).id, make_user(s, Role.REVIEWER, "西街审核员", street_id=west).id
        case_id = make_case(s, street_id=east).id
        stored = Photo(case_id=case_id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path=key)
        gone = Photo(case_id=case_id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path="2026/01/01/gone.jpg")
        s.add_all([stored, gone])
    give_password(service, ours, "east")
    give_password(service, theirs, "west")
    app = create_app(service=service)

    client = app.test_client()
    sign_in(client, "east")
    answer = client.get(f"/console/photos/{stored.id}")
    with service.sessions() as s:  # a reviewer has no photos.original right: the redacted copy, from the same store
        copy = s.scalars(select(PhotoRedaction.storage_path).where(PhotoRedaction.photo_id == stored.id)).one()
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    assert copy and answer.data == store_for(service.config).get(copy) != photo(PROBLEM)
    assert "private" in answer.headers["Cache-Control"] and "public" not in answer.headers["Cache-Control"]
    assert client.get(f"/console/photos/{gone.id}").status_code == 404

    other = app.test_client()
    sign_in(other, "west")
    assert other.get(f"/console/photos/{stored.id}").status_code == 404
