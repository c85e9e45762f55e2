"""A region to blur, in a photo's own pixels."""

from __future__ import annotations

from dataclasses import dataclass


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
    """A detector's model is not installed (OpenCV 5 dropped the cascades; rapidocr's wheel carries its models)."""
