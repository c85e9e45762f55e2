import io
import json

from PIL import Image

from photocheck import Fingerprint, fingerprint
from photocheck.hashing import hamming
from tests.photocheck.conftest import jpeg_bytes, textured
from tests.photoedits import edited, with_exif
from tests.photos import photo


def test_fingerprint_is_stable_and_roundtrips() -> None:
    data = jpeg_bytes(textured(800, 600))
    a, b = fingerprint(data), fingerprint(data)
    assert a == b
    assert a.width == 800 and a.height == 600 and a.format == "JPEG"
    assert a.jpeg_standard_tables is True and a.jpeg_quality == 90
    assert Fingerprint.from_dict(json.loads(json.dumps(a.to_dict()))) == a


def test_reencode_keeps_hash_close() -> None:
    im = textured(800, 600, seed=3)
    a = fingerprint(jpeg_bytes(im, 95))
    b = fingerprint(jpeg_bytes(im.resize((400, 300)), 60))
    assert a.sha256 != b.sha256
    assert hamming(a.phash, b.phash) <= 6


def test_screenshot_dimensions_and_bars() -> None:
    shot = fingerprint(edited("astronaut", "shot_dark"))
    original = fingerprint(photo("astronaut"))
    assert shot.screen_aspect and shot.has_border
    assert hamming(shot.phash_content, original.phash_content) <= 4  # bars stripped before hashing
    assert not original.screen_aspect and not original.screen_size
    assert fingerprint(jpeg_bytes(Image.new("RGB", (1170, 2532), "gray"))).screen_size


def test_exif_facts() -> None:
    fp = fingerprint(with_exif("coffee", when="2008:10:22 16:44:01", make="NIKON", gps=(43.4681, 11.8802)))
    assert fp.exif.datetime_original == "2008-10-22T16:44:01"
    assert abs(fp.exif.gps_lat - 43.468) < 0.01 and abs(fp.exif.gps_lon - 11.88) < 0.01
    assert fp.exif.make == "NIKON"


def test_large_upload_hashes_match_a_plain_computation() -> None:
    """Above the size where SHA-256 runs beside the decode, nothing in the fingerprint changes."""
    import hashlib

    import imagehash

    from photocheck.fingerprint import _SHA_THREAD_BYTES
    from photocheck.hashing import hash_to_int

    data = jpeg_bytes(textured(2400, 1800, seed=9), 97)
    assert len(data) > _SHA_THREAD_BYTES
    fp = fingerprint(data)
    assert fp.sha256 == hashlib.sha256(data).hexdigest()
    im = Image.open(io.BytesIO(data)).convert("L")
    assert hash_to_int(imagehash.phash(im)) == int(str(imagehash.phash(im)), 16)
    assert hamming(fp.phash, hash_to_int(imagehash.phash(im))) <= 4
