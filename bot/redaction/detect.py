"""Where the faces and licence plates are in a photo: boxes in the photo's own pixels.

Faces: OpenCV's Haar cascades (frontal and profile), which the opencv-python-headless 4.x wheel ships
in cv2.data, so nothing is downloaded at run time. Chinese plates: there is no plate model in a
well-kept wheel (hyperlpr3 downloads its weights on first use), so plates are found by what the
standard (GA 36) fixes: a blue, yellow or green rectangle of about 440x140 mm with light or dark
characters on it. Recall and speed: bench/redaction, figures in bench/RESULTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

WORK_SIDE = 1600  # detection runs on a copy this long at most: a 12 MP photo in well under a second
FACE_CASCADES = ("haarcascade_frontalface_alt2.xml", "haarcascade_profileface.xml")

# OpenCV hue is 0-179; blue plates carry light characters, yellow and new-energy green ones dark.
PLATE_COLOURS = {  # name: (hue range, least saturation, least value, light characters)
    "blue": ((100, 135), 70, 35, True), "yellow": ((15, 34), 90, 60, False), "green": ((35, 85), 40, 60, False),
}
PLATE_RATIO = (2.0, 5.5)  # a 440x140 plate is 3.1; seen at an angle it gets shorter or longer
PLATE_MIN_WIDTH = 24      # pixels of the work copy: smaller ones carry no readable number


@dataclass(frozen=True)
class Box:
    kind: str  # "face" | "plate"
    x: int
    y: int
    w: int
    h: int

    def scaled(self, factor: float) -> Box:
        return Box(self.kind, round(self.x * factor), round(self.y * factor),
                   round(self.w * factor), round(self.h * factor))


class DetectorMissing(RuntimeError):
    """The installed OpenCV has no cascades (OpenCV 5 dropped them): install opencv-python-headless<5."""


@cache
def _cascades() -> tuple[cv2.CascadeClassifier, ...]:
    folder = Path(getattr(getattr(cv2, "data", None), "haarcascades", "") or "")
    if not hasattr(cv2, "CascadeClassifier") or not all((folder / n).is_file() for n in FACE_CASCADES):
        raise DetectorMissing(f"OpenCV {cv2.__version__} has no Haar cascades; pip install 'opencv-python-headless<5'")
    return tuple(cv2.CascadeClassifier(str(folder / n)) for n in FACE_CASCADES)


def find_regions(rgb: np.ndarray) -> list[Box]:
    """Faces and plates in an RGB photo (H x W x 3, uint8)."""
    height, width = rgb.shape[:2]
    factor = max(height, width) / WORK_SIDE if max(height, width) > WORK_SIDE else 1.0
    small = rgb if factor == 1.0 else cv2.resize(rgb, (round(width / factor), round(height / factor)),
                                                  interpolation=cv2.INTER_AREA)
    boxes = find_faces(small) + find_plates(small)
    return [b.scaled(factor) for b in boxes] if factor != 1.0 else boxes


def find_faces(rgb: np.ndarray) -> list[Box]:
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    smallest = max(20, min(gray.shape) // 60)
    found: list[Box] = []
    for cascade in _cascades():
        for x, y, w, h in cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4,
                                                   minSize=(smallest, smallest)):
            found.append(Box("face", int(x), int(y), int(w), int(h)))
    return found


def find_plates(rgb: np.ndarray) -> list[Box]:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    found: list[Box] = []
    for (low, high), saturation, value, light_text in PLATE_COLOURS.values():
        mask = cv2.inRange(hsv, (low, saturation, value), (high, 255, 255))
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if w >= PLATE_MIN_WIDTH and PLATE_RATIO[0] <= w / max(h, 1) <= PLATE_RATIO[1] \
                    and _looks_like_plate(hsv[y:y + h, x:x + w], mask[y:y + h, x:x + w], light_text):
                found.append(Box("plate", x, y, w, h))
    return found


def _looks_like_plate(hsv: np.ndarray, mask: np.ndarray, light_text: bool) -> bool:
    """Mostly the plate colour, with characters: a run of strokes across the middle band."""
    if cv2.countNonZero(mask) < 0.45 * mask.size:
        return False
    band = hsv[hsv.shape[0] // 4: hsv.shape[0] * 3 // 4]
    value, saturation = band[..., 2].astype(int), band[..., 1].astype(int)
    strokes = (value > 150) & (saturation < 80) if light_text else (value < 90)
    share = float(strokes.mean())
    if not 0.08 <= share <= 0.6:
        return False
    columns = strokes.any(axis=0).astype(np.int8)
    transitions = int(np.count_nonzero(np.diff(columns)))
    return transitions >= 8  # about seven characters: at least four strokes begin and end
