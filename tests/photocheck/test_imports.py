"""The command line and the database's view of photocheck (the Fingerprint type, the index keys) load
without OpenCV, NumPy or SciPy: `chengguan --help` and `chengguan photocheck pair` must start fast,
and those libraries are imported only by the code that computes with them."""

import subprocess
import sys

HEAVY = ("cv2", "numpy", "scipy", "imagehash")


def heavy_modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.split()


def test_cli_module_imports_no_numeric_library() -> None:
    assert heavy_modules_after("import photocheck.cli") == []


def test_fingerprint_type_and_index_keys_import_no_numeric_library() -> None:
    code = ("from photocheck import Fingerprint, ImageRejected, Thresholds, chunk_keys, probe_keys\n"
            "from photocheck.index import from_signed64, to_signed64\n"
            "assert chunk_keys(0xFFFF) == [0, 0, 0, 0xFFFF] and len(probe_keys(0, 4)) == 4")
    assert heavy_modules_after(code) == []


def test_computing_names_still_load_on_use() -> None:
    assert heavy_modules_after("from photocheck import compare_pair") == ["cv2", "imagehash", "numpy", "scipy"]
