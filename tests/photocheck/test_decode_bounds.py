"""Decode work is bounded: a JPEG with an absurd number of scans and formats a phone never sends
are refused before any pixel is decoded."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from photocheck import ImageRejected, load_image
from photocheck.decode import MAX_JPEG_SCANS, count_jpeg_scans
from tests.photocheck.conftest import jpeg_bytes, textured

_SOS = b"\xff\xda"


def repeated_scan_jpeg(repeats: int) -> bytes:
    """A progressive JPEG with its shortest scan repeated: each copy is decoded again over the whole
    image, so decode time grows with `repeats` while the file stays small (the attack in issue 12)."""
    data = jpeg_bytes(textured(128, 96), progressive=True)
    eoi = len(data) - 2
    assert data[eoi:] == b"\xff\xd9"
    starts = [m.start() for m in re.finditer(re.escape(_SOS), data)]
    scans = [data[a:b] for a, b in zip(starts, [*starts[1:], eoi])]
    return data[:eoi] + min(scans, key=len) * repeats + data[eoi:]


def test_a_normal_progressive_jpeg_loads() -> None:
    data = jpeg_bytes(textured(128, 96), progressive=True)
    assert 1 < count_jpeg_scans(data) <= 12  # libjpeg's progressive script
    assert load_image(data).format == "JPEG"


def test_counting_scans_skips_markers_inside_segments_and_stuffed_bytes() -> None:
    plain = jpeg_bytes(textured(128, 96))
    comment = b"\xff\xda" * 20  # SOS-like bytes inside a comment segment are not scans
    data = plain[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + plain[2:]
    assert data.count(_SOS) > 20
    assert count_jpeg_scans(data) == 1


def test_a_jpeg_with_hundreds_of_scans_is_refused_before_decoding() -> None:
    data = repeated_scan_jpeg(300)
    assert len(data) < 200_000
    assert count_jpeg_scans(data) > MAX_JPEG_SCANS
    with pytest.raises(ImageRejected) as exc:
        load_image(data)
    assert exc.value.code == "image.too_complex"
    assert "请" in exc.value.message_zh


def _saved(fmt: str, **kw: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, fmt, **kw)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["TGA", "PCX", "ICO", "BMP", "GIF", "TIFF", "PPM"])
def test_formats_a_phone_does_not_send_are_refused(fmt: str) -> None:
    data = _saved(fmt)
    assert Image.open(io.BytesIO(data)).format  # Pillow itself would open it
    with pytest.raises(ImageRejected) as exc:
        load_image(data)
    assert exc.value.code == "image.not_image"
    assert "请" in exc.value.message_zh


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_formats_a_phone_sends_load(fmt: str) -> None:
    assert load_image(_saved(fmt)).format == fmt


def test_scan_count_is_not_fooled_by_fill_bytes() -> None:
    data = repeated_scan_jpeg(MAX_JPEG_SCANS)
    padded = re.sub(rb"\xff\xda", b"\xff\xff\xff\xda", data)  # fill bytes before each marker are legal
    assert count_jpeg_scans(padded) == count_jpeg_scans(data) > MAX_JPEG_SCANS
