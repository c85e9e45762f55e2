"""Rectification-photo verification: bytes in, typed verdicts out. No database, no web framework.

The names below load their module on first use (PEP 562), so that importing one light part
(the CLI, the index keys, the Fingerprint type) does not pull in OpenCV, NumPy and SciPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Loaded at once (it is light): the function `fingerprint` shares its module's name, and a lazily
# loaded submodule would replace the function with itself as the package attribute.
from .fingerprint import Fingerprint, fingerprint

_HOME = {
    "ImageRejected": "decode", "LoadedImage": "decode", "load_image": "decode",
    "HashIndex": "index", "chunk_keys": "index", "probe_keys": "index",
    "Signal": "originality", "originality_signals": "originality",
    "PairResult": "pair", "compare_pair": "pair",
    "check_rectification": "rectification",
    "Thresholds": "thresholds",
    "Reason": "verdict", "Verdict": "verdict",
}

__all__ = sorted([*_HOME, "Fingerprint", "fingerprint"])


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


if TYPE_CHECKING:
    from .decode import ImageRejected, LoadedImage, load_image
    from .index import HashIndex, chunk_keys, probe_keys
    from .originality import Signal, originality_signals
    from .pair import PairResult, compare_pair
    from .rectification import check_rectification
    from .thresholds import Thresholds
    from .verdict import Reason, Verdict
