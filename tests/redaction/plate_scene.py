"""Chinese plates rendered on a street-grey photo for the plate-finder tests (no licensed photo of a real
plate is in the test data): GA 36 layouts, white characters on blue, black on yellow and on new-energy
green, the latter turned as a plate seen at an angle; and the same kind of lettering on a grey sign."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pylopdf_fonts_zh_cn import sans_path

BLUE, YELLOW, GREEN = (20, 60, 190), (235, 190, 20), (120, 215, 130)
WHITE, BLACK, SIGN_GREY = (245, 245, 245), (20, 20, 20), (150, 150, 150)


@dataclass(frozen=True)
class Drawn:
    box: tuple[int, int, int, int]  # left, top, right, bottom in the scene


def plate(text: str, ground: tuple[int, int, int], ink: tuple[int, int, int], size=(440, 140)) -> Image.Image:
    card = Image.new("RGB", size, ground)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, size[0] - 1, size[1] - 1), outline=WHITE if ink == WHITE else BLACK, width=4)
    draw.text((size[0] // 2, size[1] // 2), text, font=ImageFont.truetype(str(sans_path()), 92), fill=ink, anchor="mm")
    return card


def scene(*cards: tuple[Image.Image, tuple[int, int], float]) -> tuple[np.ndarray, list[Drawn]]:
    """A 1600x1200 grey street with each card pasted at (left, top), turned by its angle in degrees."""
    canvas = Image.new("RGB", (1600, 1200), (118, 118, 114))
    ImageDraw.Draw(canvas).rectangle((0, 760, 1600, 1200), fill=(70, 70, 72))
    drawn = []
    for card, (left, top), angle in cards:
        turned = card.rotate(angle, expand=True, fillcolor=(118, 118, 114)) if angle else card
        canvas.paste(turned, (left, top))
        drawn.append(Drawn((left, top, left + turned.width, top + turned.height)))
    return np.asarray(canvas), drawn
