"""#16: a console user without the photos.original right (a reviewer) downloads the redacted copy,
no EXIF and the face and plate blurred; an admin, who has the right, the photo as taken."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from bot import photostore
from models import Case, Photo, PhotoRole, PhotoStatus, utcnow
from models.photo_links import PhotoRedaction
from tests.console.helpers import sign_in
from tests.privacy_public.street_photo import SERIAL, street_photo


def test_reviewers_see_the_redacted_copy_and_admins_the_original(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    taken = street_photo()
    path, digest = photostore.save(photostore.store_for(service.config), taken.jpeg, utcnow())
    with service.sessions() as s, s.begin():
        case = s.scalars(select(Case).where(Case.number == seeded.east_cases[0])).one()
        stored = Photo(case_id=case.id, role=PhotoRole.PROBLEM, status=PhotoStatus.STORED, storage_path=path, sha256=digest)
        s.add(stored)
    reviewer = app.test_client()
    sign_in(reviewer, "east")
    shown = reviewer.get(f"/console/photos/{stored.id}")
    assert shown.status_code == 200 and "private" in shown.headers["Cache-Control"]
    assert SERIAL.encode() not in shown.data and not Image.open(io.BytesIO(shown.data)).getexif()
    assert reviewer.get(f"/console/photos/{stored.id}").data == shown.data  # made once, then served
    with service.sessions() as s:
        [copy] = s.scalars(select(PhotoRedaction)).all()
        assert (copy.faces, copy.plates) == (1, 1)
    admin = app.test_client()
    sign_in(admin, "admin")
    assert admin.get(f"/console/photos/{stored.id}").data == taken.jpeg
    assert photostore.store_for(service.config).get(path) == taken.jpeg  # the original is never changed
