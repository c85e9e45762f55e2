"""Real photos for the tests, read from the scikit-image wheel (the `test` extra installs it), and copies
made from them here. A fresh clone needs nothing beside it; the larger labelled set in ../shared/photos is
for bench/ only.

Origins and licences (scikit-image's own docstrings, `skimage.data`):
- motorcycle_left / motorcycle_right: one rectified stereo pair of the Middlebury 2014 stereo benchmark
  (Scharstein et al., Middlebury College), downscaled 4x by scikit-image. Two cameras 193 mm apart, shot
  together: a separate shot of the same spot from about the same viewpoint.
- coffee: CC0, Rachel Michetti. chelsea: CC0, Stefan van der Walt. astronaut: NASA, public domain.
  rocket: SpaceX, public domain. hubble_deep_field: NASA/ESA, public domain. camera: CC0, Lav Varshney.
The package is BSD-3-Clause; the photos are read where pip installed them, never copied into the repo.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files
from pathlib import Path

from PIL import Image

# name -> file in skimage/data
SOURCES = {
    "motorcycle_left": "motorcycle_left.png",
    "motorcycle_right": "motorcycle_right.png",
    "coffee": "coffee.png",
    "chelsea": "chelsea.png",
    "astronaut": "astronaut.png",
    "rocket": "rocket.jpg",
    "hubble": "hubble_deep_field.jpg",
    "camera": "camera.png",  # a face seen from the side (the redaction tests' profile face)
}


def source_path(name: str) -> Path:
    path = Path(str(files("skimage") / "data" / SOURCES[name]))
    if not path.is_file():  # a test that needs a photo fails without it, never skips
        raise FileNotFoundError(f"{path} missing: install the test extra (pip install -e '.[test]')")
    return path


@cache
def image(name: str) -> Image.Image:
    with Image.open(source_path(name)) as im:
        return im.convert("RGB")


def jpeg(im: Image.Image, quality: int = 92, **save_args: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, **save_args)
    return buf.getvalue()


@cache
def photo(name: str) -> bytes:
    """The named photo as a camera-like JPEG (q92), the form users send."""
    return jpeg(image(name))


def photo_file(folder: Path, name: str) -> Path:
    """The named photo written to FOLDER/<name>.jpg, for commands that take paths."""
    path = folder / f"{name}.jpg"
    path.write_bytes(photo(name))
    return path
