"""Where the faces and licence plates are in a photo: boxes in the photo's own pixels.

Faces: OpenCV's Haar cascades (frontal and profile), which the opencv-python-headless 4.x wheel ships
in cv2.data, so nothing is downloaded at run time. Chinese plates: there is no plate model in a
well-kept wheel (hyperlpr3 downloads its weights on first use), so plates are found by what the
standard (GA 36) fixes: a blue, yellow or green rectangle of about 440x140 mm with light or dark
characters on it. Recall and speed: bench/redaction, figures in bench/RESULTS.md.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

WORK_SIDE = 1600  # detection runs on a copy this long at most: bounded work whatever the photo (time: bench/RESULTS.md)
FACE_CASCADES = ("haarcascade_frontalface_alt2.xml", "haarcascade_profileface.xml")

# OpenCV hue is 0-179; blue plates carry light characters, yellow and new-energy green ones dark.
PLATE_COLOURS = {  # name: (hue range, least saturation, least value, light characters)
    "blue": ((100, 135), 70, 35, True), "yellow": ((15, 34), 90, 60, False), "green": ((35, 85), 40, 60, False),
}
PLATE_RATIO = (2.0, 5.5)  # a 440x140 plate is 3.1; seen at an angle it gets shorter or longer
PLATE_MIN_WIDTH = 24      # pixels of the work copy: smaller ones carry no readable number
PLATE_FILL = 0.5          # share of the turned rectangle in the plate colour
STROKE_EDGES = 8          # strokes starting and ending along the middle band: about seven characters


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


_CASCADE_LOCK = threading.Lock()  # a CascadeClassifier is not safe to share between threads (console, worker)


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
        with _CASCADE_LOCK:
            faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(smallest, smallest))
        found.extend(Box("face", int(x), int(y), int(w), int(h)) for x, y, w, h in faces)
    return found


def find_plates(rgb: np.ndarray) -> list[Box]:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    found: list[Box] = []
    for (low, high), saturation, value, light_text in PLATE_COLOURS.values():
        mask = cv2.inRange(hsv, (low, saturation, value), (high, 255, 255))
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            if (patch := _upright_plate(hsv, mask, contour)) is not None and _has_characters(patch, light_text):
                x, y, w, h = cv2.boundingRect(contour)
                found.append(Box("plate", x, y, w, h))
    return found


def _upright_plate(hsv: np.ndarray, mask: np.ndarray, contour: np.ndarray) -> np.ndarray | None:
    """The region turned level (a plate seen tilted or rotated), when its shape can be a plate:
    long and flat, and mostly the colour (a filled rectangle, not an outline, a stripe or a blob)."""
    (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
    if w < h:
        w, h, angle = h, w, angle + 90
    if w < PLATE_MIN_WIDTH or not PLATE_RATIO[0] <= w / max(h, 1.0) <= PLATE_RATIO[1]:
        return None
    turn = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    turn[:, 2] += (w / 2 - cx, h / 2 - cy)
    size = (round(w), round(h))
    if cv2.countNonZero(cv2.warpAffine(mask, turn, size, flags=cv2.INTER_NEAREST)) < PLATE_FILL * w * h:
        return None
    return cv2.warpAffine(hsv, turn, size, flags=cv2.INTER_NEAREST)


def _has_characters(patch: np.ndarray, light_text: bool) -> bool:
    """About seven characters across the middle band: strokes white (blue plates: unsaturated, not
    dark) or black (yellow, green), starting and ending at least four times along it."""
    band = patch[patch.shape[0] // 4: patch.shape[0] * 3 // 4]
    value, saturation = band[..., 2].astype(int), band[..., 1].astype(int)
    ground = float(np.median(value))
    if light_text:
        strokes = (saturation < 0.5 * float(np.median(saturation))) & (value > 0.6 * ground)
    else:
        strokes = value < 0.6 * ground
    if not 0.08 <= float(strokes.mean()) <= 0.6:
        return False
    columns = strokes.any(axis=0).astype(np.int8)
    return int(np.count_nonzero(np.diff(columns))) >= STROKE_EDGES
