"""Faces: OpenCV's Haar cascades, which the opencv-python-headless 4.x wheel ships in cv2.data (nothing
is downloaded at run time). Frontal faces, and faces in profile looking either way: the profile cascade
knows one direction only, so it runs on the mirrored photo too."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from bot.redaction.box import Box, DetectorMissing

FRONTAL, PROFILE = "haarcascade_frontalface_alt2.xml", "haarcascade_profileface.xml"
SCALE_STEP = 1.2   # each pass looks for faces this much larger: 1.1 found no more on the tune set, for 1.7x the time

_CASCADE_LOCK = threading.Lock()  # a CascadeClassifier is not safe to share between threads (console, worker)


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    path = Path(getattr(getattr(cv2, "data", None), "haarcascades", "") or "") / name
    if not hasattr(cv2, "CascadeClassifier") or not path.is_file():
        raise DetectorMissing(f"OpenCV {cv2.__version__} has no Haar cascades; pip install 'opencv-python-headless<5'")
    return cv2.CascadeClassifier(str(path))


def find_faces(rgb: np.ndarray) -> list[Box]:
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    width = gray.shape[1]
    found = _detect(FRONTAL, gray) + _detect(PROFILE, gray)
    mirrored = [Box("face", width - x - w, y, w, h) for x, y, w, h in _detect(PROFILE, cv2.flip(gray, 1))]
    return [Box("face", x, y, w, h) for x, y, w, h in found] + mirrored


def _detect(name: str, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    smallest = max(20, min(gray.shape) // 60)
    cascade = _cascade(name)
    with _CASCADE_LOCK:
        faces = cascade.detectMultiScale(gray, scaleFactor=SCALE_STEP, minNeighbors=4, minSize=(smallest, smallest))
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in faces]
