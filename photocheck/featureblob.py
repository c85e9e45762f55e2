"""Features stored with a photo: computed once when the photo arrives, so a later pair check
compares against them instead of running SIFT on the problem photo again.

A blob is a compressed .npz: keypoints (float32 x, y, size) and descriptors as uint8 (OpenCV's
SIFT descriptors are whole numbers 0-255, so this loses nothing), with the format version and
the working-image size they refer to, and the detector settings they were made with
(features.detector_settings). A blob from another version, working size or setting reads as
None, and the caller computes the features afresh.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np

from .features import Features, Prepared, detector_settings, prepare
from .fingerprint import Fingerprint, fingerprint_loaded

# Raise with any change to detect() or the working size: older blobs are then recomputed. (A change of
# features.py's settings alone is caught by the settings stored in the blob.)
# 3: SIFT on a half-size copy, described on the working image (before: SIFT on the working image).
FEATURES_VERSION = 3
MAX_BLOB_BYTES = 1024 * 1024  # a stored blob is trusted no further than this
# zlib level of the blob: 1 compresses the descriptors within 3 % of numpy's default (6) at half its
# CPU time (3 vs 7 ms a photo on receipt); np.load reads either.
_DEFLATE_LEVEL = 1


def features_to_blob(features: Features, shape: tuple[int, int]) -> bytes:
    desc = features.descriptors if features.descriptors is not None else np.empty((0, 128), np.float32)
    return _npz(version=np.int32(FEATURES_VERSION), shape=np.int32(shape), settings=np.str_(detector_settings()),
                points=features.points.astype(np.float32), sizes=features.sizes.astype(np.float32),
                descriptors=np.clip(np.rint(desc), 0, 255).astype(np.uint8))


def _npz(**arrays: np.ndarray) -> bytes:
    """What np.savez_compressed writes, deflated at _DEFLATE_LEVEL (numpy offers no level)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=_DEFLATE_LEVEL) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
    return buf.getvalue()


def features_from_blob(blob: bytes | None, shape: tuple[int, int]) -> Features | None:
    """The stored features, or None when absent, unreadable, of another version or another
    working size (`shape` is the prepared image's (height, width))."""
    if not blob or len(blob) > MAX_BLOB_BYTES:
        return None
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            if (int(z["version"]) != FEATURES_VERSION or tuple(int(v) for v in z["shape"]) != tuple(shape)
                    or str(z["settings"]) != detector_settings()):
                return None
            points, sizes, desc = z["points"], z["sizes"], z["descriptors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    n = len(points)
    if points.shape != (n, 2) or sizes.shape != (n,) or desc.shape != (n, 128) or desc.dtype != np.uint8:
        return None
    return Features(points.astype(np.float32), sizes.astype(np.float32),
                    desc.astype(np.float32) if n else None)


def describe(data: bytes, **load_kwargs: Any) -> tuple[Fingerprint, bytes]:
    """A new photo's fingerprint and its features blob, from one decode at the working size.
    Raises ImageRejected for anything that is not a usable photo."""
    prepared = prepare(data, **load_kwargs)
    return fingerprint_loaded(data, prepared.loaded), features_to_blob(prepared.features(), prepared.shape)


def use_stored(prepared: Prepared, blob: bytes | None) -> bool:
    """Give `prepared` its stored features when the blob fits it; False: they will be computed."""
    features = features_from_blob(blob, prepared.shape)
    if features is not None:
        prepared.use_features(features)
    return features is not None
