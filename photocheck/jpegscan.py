"""Count the scans of a JPEG from its bytes, without decoding it.

Decoding a progressive JPEG costs one pass over the whole image per scan, and nothing in the format
limits the number of scans: a small file that repeats one scan thousands of times keeps a decoder
busy for minutes. Phones write one scan (baseline) or about ten (progressive), so counting them
first bounds decode work. The walk is linear in the file size: segment headers are skipped by
their length, entropy-coded data by searching for the next marker in C (regex), so markers inside
EXIF, ICC or stuffed bytes (FF 00) never count.
"""

from __future__ import annotations

import re

SOS, EOI = 0xDA, 0xD9
# The next marker after entropy-coded data: FF followed by anything but a stuffed 00, a restart
# marker (D0-D7) or another fill FF.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length


def count_jpeg_scans(data: bytes, stop_after: int | None = None) -> int:
    """Start-of-scan markers of the first image in `data` (0 if it is not a JPEG).

    Stops counting once `stop_after` is exceeded, so a hostile file costs no more than a normal one.
    """
    if not data.startswith(b"\xff\xd8"):
        return 0
    scans, i, size = 0, 2, len(data)
    while i + 1 < size:
        if data[i] != 0xFF:  # garbage between segments: resynchronise on the next marker, as libjpeg does
            found = _NEXT_MARKER.search(data, i)
            if found is None:
                break
            i = found.start()
            continue
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == EOI:
            break
        if marker in _STANDALONE:
            i += 2
            continue
        if i + 4 > size:
            break
        segment_end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        if marker != SOS:
            i = segment_end
            continue
        scans += 1
        if stop_after is not None and scans > stop_after:
            break
        found = _NEXT_MARKER.search(data, segment_end)
        if found is None:
            break
        i = found.start()
    return scans
