"""Rectification-photo verification: bytes in, typed verdicts out. No database, no web framework."""

from .decode import ImageRejected, LoadedImage, load_image
from .fingerprint import Fingerprint, fingerprint
from .index import HashIndex, chunk_keys, probe_keys
from .originality import Signal, originality_signals
from .pair import PairResult, compare_pair
from .rectification import check_rectification
from .thresholds import Thresholds
from .verdict import Reason, Verdict

__all__ = [
    "Fingerprint", "HashIndex", "ImageRejected", "LoadedImage", "PairResult", "Reason", "Signal",
    "Thresholds", "Verdict", "check_rectification", "chunk_keys", "compare_pair", "fingerprint",
    "load_image", "originality_signals", "probe_keys",
]
