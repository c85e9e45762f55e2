"""Where the faces and licence plates are in a photo: boxes in the photo's own pixels.

Faces: OpenCV's Haar cascades (bot/redaction/faces.py). Plates: read as text by PP-OCR from the
rapidocr wheel (bot/redaction/plates.py). Every model ships inside its package; nothing is downloaded
at run time. Recall and speed: bench/redaction, figures in bench/RESULTS.md.
"""

from __future__ import annotations

import cv2
import numpy as np

from bot.redaction.box import Box, DetectorMissing
from bot.redaction.faces import find_faces
from bot.redaction.plates import find_plates

__all__ = ["WORK_SIDE", "Box", "DetectorMissing", "find_faces", "find_plates", "find_regions"]

WORK_SIDE = 1600  # detection runs on a copy this long at most: bounded work whatever the photo (time: bench/RESULTS.md)


def find_regions(rgb: np.ndarray) -> list[Box]:
    """Faces and plates in an RGB photo (H x W x 3, uint8)."""
    height, width = rgb.shape[:2]
    factor = max(height, width) / WORK_SIDE if max(height, width) > WORK_SIDE else 1.0
    small = rgb if factor == 1.0 else cv2.resize(rgb, (round(width / factor), round(height / factor)),
                                                  interpolation=cv2.INTER_AREA)
    boxes = find_faces(small) + find_plates(small)
    return [b.scaled(factor) for b in boxes] if factor != 1.0 else boxes
