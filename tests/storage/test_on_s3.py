"""A handful of the lifecycle's photo tests again, with the photos in the bucket (moto on loopback):
the officer gets the problem photo, rectifications are checked against it and against other cases'
photos, a rework's second photo too. The rest of the suite runs on the local folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.service import Service
from tests.storage.conftest import s3_client

from tests.staff.test_dispatch_photo import test_a_stored_photo_reaches_the_officer_as_an_image  # noqa: F401
from tests.staff.test_workflow import (  # noqa: F401
    test_a_copy_of_another_cases_photo_is_caught_by_the_index,
    test_resident_case_from_report_to_close,
    test_rework_loop,
)


@pytest.fixture
def store_env(s3_store_env: dict[str, str]) -> dict[str, str]:
    return s3_store_env


@pytest.fixture(autouse=True)
def _photos_in_the_bucket_only(mp_service: Service, s3_endpoint: str, bucket: str) -> Iterator[None]:
    yield
    assert not any(p.is_file() for p in mp_service.config.photo_dir.rglob("*"))
    assert s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["KeyCount"] > 0
