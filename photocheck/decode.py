"""Safe image loading: bytes in, an oriented RGB Pillow image out, or a typed rejection.

Every limit is explicit so that an untrusted upload can never exhaust memory:
the byte size is checked before parsing, the pixel count is checked from the
header before any pixel is decoded, and Pillow's own bomb warnings are turned
into errors. Only the formats a phone sends are parsed at all, and a JPEG with more scans than a
camera writes is refused before decoding (photocheck.jpegscan): decode time grows with the scan
count, not the file size. JPEGs are decoded in draft mode (DCT scaling) when a target size
is given, which is several times faster than a full decode of a phone photo.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError, features

from .jpegscan import count_jpeg_scans

DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_PIXELS = 60_000_000
# Phones write 1 scan (baseline) or about 10 (progressive); each scan is a pass over the whole image.
MAX_JPEG_SCANS = 64
# Only what a phone sends; Pillow would otherwise try some 40 parsers on hostile bytes.
# (HEIC needs a plugin that is not installed; WebP only where Pillow was built with it.)
PHONE_FORMATS = ("JPEG", "PNG", "WEBP") if features.check("webp") else ("JPEG", "PNG")

_MESSAGES = {
    "image.empty": "图片为空, 请重新拍摄上传",
    "image.not_image": "文件不是手机照片 (JPEG/PNG), 请直接用相机拍照上传",
    "image.corrupt": "图片已损坏, 请重新拍摄上传",
    "image.too_large": "图片文件过大, 请用手机相机直接拍摄后上传",
    "image.bomb": "图片尺寸异常, 请用手机相机直接拍摄后上传",
    "image.too_complex": "图片编码异常, 请换一张用手机相机直接拍摄的照片",
}

# Orientation values that swap width and height (EXIF tag 0x0112).
_TRANSPOSING_ORIENTATIONS = {5, 6, 7, 8}


class ImageRejected(ValueError):
    """The bytes cannot be used as a photo; `message_zh` tells the user what to do."""

    def __init__(self, code: str, message_zh: str | None = None, detail: str = "") -> None:
        self.code = code
        self.message_zh = message_zh or _MESSAGES.get(code, "图片无法读取, 请重新拍摄上传")
        self.detail = detail
        super().__init__(f"{code}: {detail or self.message_zh}")


@dataclass(frozen=True)
class LoadedImage:
    """A decoded photo. `image` may be reduced (draft); `width`/`height` are the full, oriented size."""

    image: Image.Image
    format: str
    width: int
    height: int
    orientation: int
    exif: Image.Exif = field(repr=False)
    quantization: dict[int, list[int]] | None = field(default=None, repr=False)
    info: dict = field(default_factory=dict, repr=False)


def load_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    draft_size: tuple[int, int] | None = None,
    mode: str = "RGB",
) -> LoadedImage:
    """Decode `data` safely; with `draft_size`, JPEGs decode at the smallest DCT scale >= that size."""
    if not data:
        raise ImageRejected("image.empty")
    if len(data) > max_bytes:
        raise ImageRejected("image.too_large", detail=f"{len(data)} bytes > {max_bytes}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(data, max_pixels, draft_size, mode)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected("image.bomb", detail=str(exc)) from exc
        except UnidentifiedImageError as exc:
            # An image signature that Pillow cannot parse is a damaged photo, not a wrong file.
            code = "image.corrupt" if _looks_like_image(data) else "image.not_image"
            raise ImageRejected(code, detail=str(exc)) from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
                struct.error) as exc:
            raise ImageRejected("image.corrupt", detail=f"{type(exc).__name__}: {exc}") from exc
        except MemoryError as exc:
            raise ImageRejected("image.bomb", detail="out of memory while decoding") from exc


_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def _looks_like_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _decode(data: bytes, max_pixels: int, draft_size: tuple[int, int] | None, mode: str) -> LoadedImage:
    scans = count_jpeg_scans(data, stop_after=MAX_JPEG_SCANS)
    if scans > MAX_JPEG_SCANS:
        raise ImageRejected("image.too_complex", detail=f"more than {MAX_JPEG_SCANS} JPEG scans")
    im = Image.open(io.BytesIO(data), formats=PHONE_FORMATS)
    width, height = im.size
    if width <= 0 or height <= 0:
        raise ImageRejected("image.corrupt", detail="zero size")
    # Only the first frame is ever decoded, so its size is what counts.
    if width * height > max_pixels:
        raise ImageRejected("image.bomb", detail=f"{width}x{height} > {max_pixels} pixels")
    fmt = im.format or "UNKNOWN"
    exif = im.getexif()
    raw_orientation = exif.get(0x0112, 1)
    orientation = raw_orientation if isinstance(raw_orientation, int) and 1 <= raw_orientation <= 8 else 1
    quantization = dict(im.quantization) if fmt == "JPEG" and getattr(im, "quantization", None) else None
    info = {k: v for k, v in im.info.items() if k in ("progressive", "progression", "dpi", "icc_profile")}
    if draft_size is not None and fmt == "JPEG":
        # draft() sizes refer to the stored (unrotated) pixel grid.
        dw, dh = draft_size
        if orientation in _TRANSPOSING_ORIENTATIONS:
            dw, dh = dh, dw
        im.draft("RGB" if mode == "RGB" else mode, (dw, dh))
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone else enabled padding of truncated files with grey; we must not accept those.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False for photo checks")
    # The bytes are already in memory (and bounded by max_bytes): hand them to the decoder in one
    # block instead of Pillow's 64 KB reads, which saves ~0.4 ms per 12 MP photo.
    im.decodermaxblock = max(im.decodermaxblock, len(data))
    im.load()
    if orientation != 1:
        im = ImageOps.exif_transpose(im)
    if im.mode != mode:
        im = _to_mode(im, mode)
    if orientation in _TRANSPOSING_ORIENTATIONS:
        width, height = height, width
    return LoadedImage(im, fmt, width, height, orientation, exif, quantization, info)


def _to_mode(im: Image.Image, mode: str) -> Image.Image:
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        # Flatten transparency onto white, as a phone gallery would show it.
        rgba = im.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert(mode)
    if im.mode.startswith("I;16") or im.mode == "I":
        # 16-bit greyscale: scale to 8 bits instead of clipping everything to white.
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    return im.convert(mode)
