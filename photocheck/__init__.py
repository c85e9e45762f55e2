"""Rectification-photo verification: bytes in, typed verdicts out. No database, no web framework."""

from .decode import ImageRejected, LoadedImage, load_image
from .fingerprint import Fingerprint, fingerprint
from .pair import PairResult, compare_pair
from .thresholds import Thresholds
from .verdict import Reason

__all__ = [
    "Fingerprint", "ImageRejected", "LoadedImage", "PairResult", "Reason", "Thresholds",
    "compare_pair", "fingerprint", "load_image",
]
