import io

import pytest
from PIL import Image

from photocheck import ImageRejected, load_image
from tests.photocheck.conftest import jpeg_bytes, textured
from tests.photoedits import with_exif


def test_loads_jpeg_and_reports_full_size() -> None:
    loaded = load_image(jpeg_bytes(textured(640, 480)), draft_size=(160, 120))
    assert (loaded.width, loaded.height) == (640, 480)
    assert loaded.format == "JPEG"
    assert max(loaded.image.size) < 640  # draft mode decoded at reduced scale


@pytest.mark.parametrize("data, code", [
    (b"", "image.empty"),
    (b"hello, this is a text file\n" * 20, "image.not_image"),
    (b"\xff\xd8\xff\xe0" + b"\x00garbage" * 50, "image.corrupt"),
])
def test_rejects_non_images(data: bytes, code: str) -> None:
    with pytest.raises(ImageRejected) as exc:
        load_image(data)
    assert exc.value.code == code
    assert "请" in exc.value.message_zh  # tells the user what to do


def test_rejects_truncated_jpeg() -> None:
    data = jpeg_bytes(textured(640, 480))
    with pytest.raises(ImageRejected) as exc:
        load_image(data[: len(data) // 2])
    assert exc.value.code == "image.corrupt"
    assert exc.value.message_zh == "图片已损坏, 请重新拍摄上传"


def test_rejects_decompression_bomb() -> None:
    # A tiny PNG claiming 20000 x 20000 pixels: rejected from the header, nothing is decoded.
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG", optimize=True)
    assert len(buf.getvalue()) < 200_000
    with pytest.raises(ImageRejected) as exc:
        load_image(buf.getvalue(), max_pixels=50_000_000)
    assert exc.value.code == "image.bomb"


def test_rejects_oversized_file() -> None:
    data = jpeg_bytes(textured())
    with pytest.raises(ImageRejected) as exc:
        load_image(data, max_bytes=len(data) - 1)
    assert exc.value.code == "image.too_large"


def test_applies_exif_orientation() -> None:
    im = Image.new("RGB", (200, 100), "white")
    im.paste((255, 0, 0), (0, 0, 50, 100))  # red band on the left of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW for display
    loaded = load_image(jpeg_bytes(im, exif=exif))
    assert (loaded.width, loaded.height) == (100, 200)
    assert loaded.image.size == (100, 200)
    r, g, b = loaded.image.getpixel((50, 10))  # the band is now on top
    assert r > 200 and g < 80


def test_orientation_of_a_camera_photo() -> None:
    loaded = load_image(with_exif("chelsea", make="Canon", orientation=6))  # stored portrait, shown landscape
    assert loaded.orientation == 6
    assert loaded.width > loaded.height
