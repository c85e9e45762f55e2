"""Features stored with a photo: read back exactly, refused when they do not fit, and used by the
rectification check instead of running SIFT on the photo again."""

import io
import zipfile

import numpy as np
import pytest

import photocheck.features as features_module
from photocheck import check_rectification
from photocheck.featureblob import FEATURES_VERSION, describe, features_from_blob, features_to_blob
from photocheck.features import prepare
from tests.photocheck.conftest import count_calls
from tests.photos import photo


def test_blob_reads_back_the_same_features_and_is_small() -> None:
    p = prepare(photo("motorcycle_left"))
    f = p.features()
    blob = features_to_blob(f, p.shape)
    back = features_from_blob(blob, p.shape)
    assert back is not None
    assert np.array_equal(back.points, f.points) and np.array_equal(back.sizes, f.sizes)
    assert np.array_equal(back.descriptors, f.descriptors)  # SIFT descriptors are whole numbers 0-255
    assert len(f.points) > 300
    assert len(blob) < 200 * len(f.points)  # 128 bytes of descriptor and 12 of keypoint each, compressed


def test_blobs_stored_by_numpys_own_writer_still_read_the_same() -> None:
    """The blob is deflated faster than np.savez_compressed does; blobs that wrote are still read, and
    both hold the same arrays."""
    p = prepare(photo("motorcycle_left"))
    blob = features_to_blob(p.features(), p.shape)
    with np.load(io.BytesIO(blob)) as z:
        arrays = {k: z[k] for k in z.files}
    earlier = io.BytesIO()
    np.savez_compressed(earlier, **arrays)
    old, new = features_from_blob(earlier.getvalue(), p.shape), features_from_blob(blob, p.shape)
    assert old is not None and new is not None
    assert all(np.array_equal(getattr(old, k), getattr(new, k)) for k in ("points", "sizes", "descriptors"))
    assert len(blob) < 1.1 * len(earlier.getvalue())


@pytest.mark.parametrize("damage", ["other shape", "other version", "not a zip", "truncated", "empty"])
def test_a_blob_that_does_not_fit_reads_as_none(damage: str) -> None:
    p = prepare(photo("coffee"))
    blob = features_to_blob(p.features(), p.shape)
    shape = p.shape
    if damage == "other shape":
        shape = (shape[0] + 1, shape[1])
    elif damage == "other version":
        buf = io.BytesIO()
        with np.load(io.BytesIO(blob)) as z:
            np.savez_compressed(buf, **{k: z[k] for k in z.files if k != "version"}, version=np.int32(1))
        blob = buf.getvalue()
    elif damage == "not a zip":
        blob = b"PK\x03\x04" + b"\x00" * 64
    elif damage == "truncated":
        blob = blob[: len(blob) // 2]
    else:
        blob = b""
    assert features_from_blob(blob, shape) is None


def test_a_blob_with_a_wrong_array_shape_reads_as_none() -> None:
    p = prepare(photo("coffee"))
    f = p.features()
    buf = io.BytesIO()
    np.savez_compressed(buf, version=np.int32(FEATURES_VERSION), shape=np.int32(p.shape),
                        settings=np.str_(features_module.detector_settings()), points=f.points,
                        sizes=f.sizes[:-1], descriptors=f.descriptors.astype(np.uint8))
    assert features_from_blob(buf.getvalue(), p.shape) is None
    assert zipfile.is_zipfile(io.BytesIO(buf.getvalue()))


def test_rectification_check_uses_stored_features_and_reaches_the_same_verdict(monkeypatch) -> None:
    problem, rectified = photo("motorcycle_left"), photo("motorcycle_right")
    _, problem_blob = describe(problem)
    _, rectified_blob = describe(rectified)
    fresh = check_rectification(problem, rectified)
    calls = count_calls(monkeypatch, features_module, "detect")
    stored = check_rectification(problem, rectified, problem_features=problem_blob, rectified_features=rectified_blob)
    assert calls == []
    assert stored.to_dict() == {**fresh.to_dict(), "pair": {**fresh.to_dict()["pair"], "ms": round(stored.pair.ms, 1)}}
    check_rectification(problem, rectified, problem_features=b"stale", rectified_features=rectified_blob)
    assert calls == [1]  # a blob that does not fit: computed again


def _blob_as_version_2_stored_it(features: features_module.Features, shape: tuple[int, int]) -> bytes:
    """The blob layout of FEATURES_VERSION 2 (SIFT on the whole working image, no settings recorded)."""
    buf = io.BytesIO()
    np.savez_compressed(buf, version=np.int32(2), shape=np.int32(shape), points=features.points,
                        sizes=features.sizes, descriptors=features.descriptors.astype(np.uint8))
    return buf.getvalue()


def test_features_stored_before_the_reduced_sift_are_computed_again(monkeypatch) -> None:
    """Blobs stored under version 2 hold full-size SIFT features; the thresholds are now tuned on the
    reduced detector's, so such a blob is not used but computed afresh."""
    problem, rectified = photo("motorcycle_left"), photo("motorcycle_right")
    p = prepare(problem)
    monkeypatch.setattr(features_module, "DETECT_PIXELS", None)
    old_blob = _blob_as_version_2_stored_it(p.features(), p.shape)
    monkeypatch.undo()
    assert FEATURES_VERSION == 3 and features_from_blob(old_blob, p.shape) is None
    rectified_blob = describe(rectified)[1]
    calls = count_calls(monkeypatch, features_module, "detect")
    check_rectification(problem, rectified, problem_features=old_blob, rectified_features=rectified_blob)
    assert calls == [1]


def test_a_blob_made_with_other_detector_settings_reads_as_none(monkeypatch) -> None:
    p = prepare(photo("motorcycle_left"))
    blob = features_to_blob(p.features(), p.shape)
    assert features_from_blob(blob, p.shape) is not None
    monkeypatch.setattr(features_module, "MAX_FEATURES", features_module.MAX_FEATURES + 1)
    assert features_from_blob(blob, p.shape) is None
