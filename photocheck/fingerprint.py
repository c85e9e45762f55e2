"""Fingerprint: everything later checks need to know about one photo, small and JSON-serialisable.

Decoding uses JPEG draft mode at 1/8 scale or so: hashes need only 32x32 pixels,
and the full decode of a 12 MP photo costs several times more than the rest.
At 1/8 scale the decode is almost all entropy decoding, which no draft setting avoids;
the SHA-256 of a phone photo (~2 ms) therefore runs in a thread alongside it (both
release the GIL), so a fingerprint costs about the decode plus the hashes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from .exiffacts import ExifFacts, read_exif_facts
from .screens import is_phone_screen_size, is_screen_aspect

if TYPE_CHECKING:
    from .decode import LoadedImage

HASH_DRAFT = (256, 256)  # draft() picks the smallest DCT scale that still covers this
_SHA_THREAD_BYTES = 256 * 1024  # below this, hashing inline is cheaper than starting a thread


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    byte_size: int
    format: str
    width: int  # after EXIF orientation
    height: int
    phash: int  # 64-bit imagehash pHash of the whole (oriented) image
    dhash: int
    phash_content: int  # pHash of the photo inside borders/UI bars (== phash when there are none)
    phash_center: int  # pHash of the central 70 %, survives small crops and overlays at the edges
    phash_variants: tuple[int, ...]  # pHash of the content in all 8 rotations/mirrors, [0] == phash_content
    content_box: tuple[float, float, float, float]  # left, top, right, bottom as fractions
    exif: ExifFacts
    jpeg_quality: int | None
    jpeg_standard_tables: bool | None
    screen_size: bool  # exactly a phone screen resolution
    screen_aspect: bool  # phone-screen aspect ratio (a scaled screenshot)

    @property
    def has_border(self) -> bool:
        return self.content_box != (0.0, 0.0, 1.0, 1.0)

    def index_hashes(self) -> tuple[int, ...]:
        """Hashes to store in a near-duplicate index for this photo (deduplicated)."""
        return tuple(dict.fromkeys((self.phash, self.phash_content)))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("phash", "dhash", "phash_content", "phash_center"):
            d[k] = f"{d[k]:016x}"  # hex: JSON numbers above 2**53 lose bits in JavaScript
        d["phash_variants"] = [f"{v:016x}" for v in self.phash_variants]
        d["content_box"] = list(self.content_box)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Fingerprint":
        d = dict(d)
        for k in ("phash", "dhash", "phash_content", "phash_center"):
            d[k] = _hash(d[k])
        d["phash_variants"] = tuple(_hash(v) for v in d["phash_variants"])
        d["content_box"] = tuple(float(x) for x in d["content_box"])
        d["exif"] = ExifFacts(**(d.get("exif") or {}))
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def _hash(v: int | str) -> int:
    return int(v, 16) if isinstance(v, str) else int(v)


def fingerprint(data: bytes, **load_kwargs: Any) -> Fingerprint:
    """Fingerprint raw upload bytes. Raises ImageRejected for anything that is not a usable photo."""
    from .decode import load_image

    if len(data) < _SHA_THREAD_BYTES:
        return fingerprint_loaded(data, load_image(data, draft_size=HASH_DRAFT, mode="L", **load_kwargs))
    digest: list[str] = []
    worker = threading.Thread(target=lambda: digest.append(hashlib.sha256(data).hexdigest()), daemon=True)
    worker.start()
    try:
        loaded = load_image(data, draft_size=HASH_DRAFT, mode="L", **load_kwargs)
    finally:
        worker.join()
    return fingerprint_loaded(data, loaded, sha256=digest[0])


def fingerprint_loaded(data: bytes, loaded: LoadedImage, sha256: str | None = None) -> Fingerprint:
    # Imported here: the Fingerprint type alone (the database, the index) needs none of them.
    import numpy as np
    from PIL import Image

    from .hashing import content_box, dhash_int, dihedral_phashes, phash_int
    from .jpegq import estimate_quality

    gray = loaded.image if loaded.image.mode == "L" else loaded.image.convert("L")
    if max(gray.size) > 256:
        gray = gray.copy()
        gray.thumbnail((256, 256), Image.Resampling.BILINEAR)
    arr = np.asarray(gray)
    h, w = arr.shape
    box = content_box(arr)
    content = gray.crop(box) if box != (0, 0, w, h) else gray
    cw, ch = content.size
    center = content.crop((int(cw * 0.15), int(ch * 0.15), int(cw * 0.85), int(ch * 0.85)))
    variants = dihedral_phashes(content)
    quality = estimate_quality(loaded.quantization)
    return Fingerprint(
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        byte_size=len(data),
        format=loaded.format,
        width=loaded.width,
        height=loaded.height,
        phash=phash_int(gray) if content is not gray else variants[0],
        dhash=dhash_int(gray),
        phash_content=variants[0],
        phash_center=phash_int(center),
        phash_variants=variants,
        content_box=(round(box[0] / w, 4), round(box[1] / h, 4), round(box[2] / w, 4), round(box[3] / h, 4)),
        exif=read_exif_facts(loaded.exif),
        jpeg_quality=quality.quality if quality else None,
        jpeg_standard_tables=quality.standard if quality else None,
        screen_size=is_phone_screen_size(loaded.width, loaded.height),
        screen_aspect=is_screen_aspect(loaded.width, loaded.height),
    )
