"""Chinese licence plates, read as text: PP-OCR's text detector finds every line of text (a plate's
characters included, whatever the plate's colour, angle or light) and its recogniser reads it; a line
is taken for a plate when it reads like one (GA 36: a province, a letter, five or six letters and
digits) or when the plate colours fill it (a plate too blurred to read). Both models ship inside the
rapidocr wheel (Apache-2.0, run by onnxruntime on the CPU); they are loaded from the installed package
by path, so nothing is downloaded at run time. Why this detector: bench/redaction/DETECTORS.md."""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from bot.redaction.box import Box, DetectorMissing

MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx"}
DETECT_SIDE = 1280        # the text detector sees the photo at most this long: plates ~30 px wide still show
LINE_RATIO = (1.2, 9.0)   # a plate's line of text, long side over short side (one row of a two-row plate: short)
PLATE_SIGNS = (4, 9)      # letters and digits a plate line holds: 5-7, read with a slip either way
LEAST_DIGITS = 2
COLOUR_FILL = 0.3         # share of the line in a plate colour that makes it a plate unread

# OpenCV hue is 0-179: the blue, yellow and (new-energy) green of GA 36 plates
PLATE_COLOURS = (((100, 135), 70, 35), ((15, 34), 90, 60), ((35, 85), 40, 60))

_SIGN = re.compile(r"[A-Z0-9]")
_ENGINE_LOCK = threading.Lock()  # RapidOCR's __call__ sets per-call options on the engine itself


@cache
def _engine():  # -> rapidocr.RapidOCR, imported late: the service starts without loading the models
    try:
        import rapidocr
    except ImportError as missing:
        raise DetectorMissing("rapidocr is not installed: pip install rapidocr onnxruntime") from missing
    folder = Path(rapidocr.__file__).parent / "models"
    paths = {step: folder / name for step, name in MODELS.items()}
    if not all(path.is_file() for path in paths.values()):
        raise DetectorMissing(f"rapidocr {rapidocr.__version__ if hasattr(rapidocr, '__version__') else ''} "
                              f"has no {', '.join(MODELS.values())} in {folder}")
    return rapidocr.RapidOCR(params={
        "Global.log_level": "error", "Global.use_cls": False, "Global.text_score": 0.3,
        "Det.model_path": str(paths["Det"]), "Rec.model_path": str(paths["Rec"]),
        "Det.limit_type": "max", "Det.limit_side_len": DETECT_SIDE,
    })


def find_plates(rgb: np.ndarray) -> list[Box]:
    with _ENGINE_LOCK:
        result = _engine()(np.ascontiguousarray(rgb[:, :, ::-1]))  # the engine takes BGR
    if result.boxes is None:
        return []
    found = []
    for corners, text in zip(result.boxes, result.txts):
        quad = np.asarray(corners, dtype=np.float32)
        if _line_shaped(quad) and (reads_as_plate(text) or _plate_coloured(rgb, quad)):
            x, y, w, h = cv2.boundingRect(quad)
            found.append(Box("plate", x, y, w, h))
    return found


def reads_as_plate(text: str) -> bool:
    signs = _SIGN.findall(text.upper())
    return PLATE_SIGNS[0] <= len(signs) <= PLATE_SIGNS[1] and sum(s.isdigit() for s in signs) >= LEAST_DIGITS


def _line_shaped(quad: np.ndarray) -> bool:
    _, (w, h), _ = cv2.minAreaRect(quad)
    long, short = max(w, h), max(min(w, h), 1.0)
    return LINE_RATIO[0] <= long / short <= LINE_RATIO[1]


def _plate_coloured(rgb: np.ndarray, quad: np.ndarray) -> bool:
    x, y, w, h = cv2.boundingRect(quad)
    x, y = max(x, 0), max(y, 0)
    patch = np.ascontiguousarray(rgb[y:y + h, x:x + w])
    if patch.size == 0:
        return False
    inside = np.zeros(patch.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(quad - (x, y)).astype(np.int32)], 255)
    hsv = cv2.cvtColor(patch, cv2.COLOR_RGB2HSV)
    area = max(1, cv2.countNonZero(inside))
    return any(cv2.countNonZero(cv2.inRange(hsv, (low, sat, val), (high, 255, 255)) & inside) >= COLOUR_FILL * area
               for (low, high), sat, val in PLATE_COLOURS)
