"""A street photo composed for the redaction tests: the face of scikit-image's `astronaut` (NASA,
public domain; tests/photos.py) and a rendered blue Chinese plate (京A·12345, the GA 36 layout:
white characters on blue, 440x140), with EXIF carrying GPS and a camera serial number."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from pylopdf_fonts_zh_cn import sans_path

from tests.photos import image

WIDTH, HEIGHT = 1600, 1200
FACE_AT = (100, 100)              # where the astronaut (512x512) is pasted
FACE = (278, 169, 370, 261)      # her face, in the composed photo (left, top, right, bottom)
PLATE = (900, 800, 1340, 940)    # the plate, 440x140
SERIAL = "SN-CG-0042-7731"


@dataclass(frozen=True)
class StreetPhoto:
    jpeg: bytes
    face: tuple[int, int, int, int]
    plate: tuple[int, int, int, int]


def street_photo() -> StreetPhoto:
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (128, 128, 124))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 700, WIDTH, HEIGHT), fill=(70, 70, 72))      # the road
    draw.rectangle((820, 640, 1420, 1020), fill=(200, 200, 205))    # a car's back
    canvas.paste(image("astronaut"), FACE_AT)
    left, top, right, bottom = PLATE
    draw.rounded_rectangle(PLATE, radius=10, fill=(20, 60, 190), outline=(235, 235, 235), width=5)
    font = ImageFont.truetype(str(sans_path()), 96)
    draw.text(((left + right) // 2, (top + bottom) // 2), "京A·12345", font=font, fill=(245, 245, 245), anchor="mm")
    exif = Image.Exif()
    exif[0x0110] = "Test Phone"   # Model
    exif[0xA431] = SERIAL         # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 31.32), 3: "E", 4: (116.0, 23.0, 51.0)}  # GPSInfo
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=92, exif=exif)
    return StreetPhoto(out.getvalue(), FACE, PLATE)
