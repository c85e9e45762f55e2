"""The aligned view: the rectification photo drawn in the problem photo's frame with photocheck's
transform, rendered once and cached; only for a signed-in user allowed to see the case."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from sqlalchemy import select

from bot.app import create_app
from bot.photostore_local import LocalFolder
from console import aligned
from models import Photo, PhotoRole
from tests.console.helpers import sign_in
from tests.console.scenario import submitted_cases
from tests.photoedits import photo_or_edit
from tests.staff.scenario import OTHER_ANGLE, PROBLEM, SAME_ANGLE, case


def test_aligned_view_of_a_submitted_case(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    s = submitted_cases(mp_service, wechat_api, new_user, new_staff, run_worker, count=1)
    with mp_service.sessions() as db:
        rectified = db.scalars(select(Photo).where(Photo.case_id == case(mp_service, s.numbers[0]).id,
                                                   Photo.role == PhotoRole.RECTIFICATION)).one()
        problem = db.scalars(select(Photo).where(Photo.case_id == rectified.case_id,
                                                 Photo.role == PhotoRole.PROBLEM)).first()
    client = create_app(service=mp_service).test_client()
    url = f"/console/photos/{rectified.id}/aligned.jpg"
    assert client.get(url).status_code == 302  # no session
    sign_in(client, "east")
    answer = client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    colour = np.asarray(Image.open(io.BytesIO(answer.data)).convert("RGB"), dtype=np.float32)
    covered = ~(np.abs(colour - 235) <= 4).all(axis=2)  # outside the warped photo: the grey border
    warped = colour.mean(axis=2)
    base = Image.open(io.BytesIO((mp_service.config.photo_dir / problem.storage_path).read_bytes())).convert("L")
    base_small = np.asarray(base.resize((warped.shape[1], warped.shape[0])), dtype=np.float32)
    # the same spot from about the same viewpoint: after warping, the two agree far better than unaligned
    raw = Image.open(io.BytesIO((mp_service.config.photo_dir / rectified.storage_path).read_bytes())).convert("L")
    unaligned = np.asarray(raw.resize((warped.shape[1], warped.shape[0])), dtype=np.float32)
    after = np.corrcoef(warped[covered], base_small[covered])[0, 1]
    before = np.corrcoef(unaligned[covered], base_small[covered])[0, 1]
    assert after > before + 0.1, (after, before)
    cached = list((mp_service.config.photo_dir / aligned.CACHE_FOLDER).glob("*.jpg"))
    assert len(cached) == 1 and cached[0].read_bytes() == answer.data
    assert client.get(url).data == answer.data  # served from the cache
    assert client.get(f"/console/photos/{problem.id}/aligned.jpg").status_code == 404  # a problem photo has none
    assert 'class="over"' in client.get(f"/console/cases/{s.numbers[0]}").get_data(as_text=True)


def test_pairs_without_a_transform_are_remembered(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = LocalFolder(tmp_path)
    for key, name in (("problem.jpg", PROBLEM), ("other.jpg", OTHER_ANGLE), ("same.jpg", SAME_ANGLE)):
        store.put(key, photo_or_edit(name))
    assert aligned.aligned_jpeg(store, ("a" * 64, "problem.jpg"), ("b" * 64, "other.jpg")) == aligned.NOT_ALIGNED
    assert (tmp_path / aligned.CACHE_FOLDER / f"{'a' * 32}-{'b' * 32}.jpg").read_bytes() == b""
    same = aligned.aligned_jpeg(store, ("a" * 64, "problem.jpg"), ("c" * 64, "same.jpg"))
    assert same.startswith(b"\xff\xd8")
