"""Copies and edits of the test photos, made in the test: what an officer might send instead of a fresh
shot (re-encoded, resized, cropped, colour-edited, framed in a screenshot), and EXIF variants."""

from __future__ import annotations

from PIL import Image, ImageEnhance, ImageOps

from bench.photocheck.data import make_copy
from tests.photos import image, jpeg, photo


def edited(name: str, transform: str) -> bytes:
    """The benchmark's copy operations (jpeg50, half, bright, contrast, gamma, cropNN, rot3, shot_dark,
    shot_light) applied to a named photo."""
    return make_copy(photo(name), transform)


def mirrored(name: str) -> bytes:
    return jpeg(ImageOps.mirror(image(name)), 85)


def warm(name: str) -> bytes:
    """Gamma 0.8 and a warm cast: a colour edit that moves the pHash a few bits."""
    lut = [round(255 * (i / 255) ** 0.8) for i in range(256)]
    r, g, b = image(name).point(lut * 3).split()
    return jpeg(Image.merge("RGB", (r.point(lambda v: min(255, v + 18)), g, b.point(lambda v: max(0, v - 18)))), 85)


def chat_copy(name: str) -> bytes:
    """As a messaging app resends a photo: scaled down, recompressed, metadata gone."""
    im = image(name)
    return jpeg(im.resize((im.width * 3 // 4, im.height * 3 // 4), Image.Resampling.LANCZOS), 72)


def thumbnail(name: str, factor: int) -> bytes:
    im = image(name)
    return jpeg(im.resize((im.width // factor, im.height // factor), Image.Resampling.LANCZOS))


def cropped(name: str, box: tuple[float, float, float, float]) -> bytes:
    """A part of the photo; BOX in fractions of width and height (left, top, right, bottom)."""
    im = image(name)
    left, top, right, bottom = box
    return jpeg(im.crop((int(im.width * left), int(im.height * top), int(im.width * right), int(im.height * bottom))))


def brighter(name: str, factor: float) -> bytes:
    return jpeg(ImageEnhance.Brightness(image(name)).enhance(factor))


def with_exif(name: str, *, when: str | None = None, make: str | None = None,
              gps: tuple[float, float] | None = None, orientation: int | None = None) -> bytes:
    """The photo as a camera would store it with these EXIF facts (WHEN as 'YYYY:MM:DD HH:MM:SS')."""
    im = image(name)
    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if orientation:
        exif[0x0112] = orientation
        # store the pixels as the sensor saw them, so that applying the tag shows the photo upright
        im = im.transpose(Image.Transpose.ROTATE_90) if orientation == 6 else im
    if when:
        exif.get_ifd(0x8769)[0x9003] = when
    if gps:
        lat, lon = gps
        exif.get_ifd(0x8825).update({1: "N" if lat >= 0 else "S", 2: _dms(abs(lat)),
                                     3: "E" if lon >= 0 else "W", 4: _dms(abs(lon))})
    return jpeg(im, exif=exif.tobytes())


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))


def photo_or_edit(key: str) -> bytes:
    """'name' is the photo itself; 'name#transform' one of `edited`'s copies of it."""
    name, _, transform = key.partition("#")
    return edited(name, transform) if transform else photo(name)
