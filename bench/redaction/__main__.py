"""`python -m bench.redaction [--set DIR] [--repeats 3]`

Recall of the redaction detector (bot.redaction.detect) on a small labelled set of public street
photos with faces and Chinese plates (sources, licences and how the labels were made:
bench/redaction/SOURCES.md; the photos stay outside the repository, default
/work/shared-extra/redaction), and the time to redact one 12 MP photo (decode, detect, blur, encode).
A labelled box counts as found when the boxes the detector blurs (with their margin) cover at least
half of it. The set is split by source: the detector's parameters were chosen on the tune folders
only; the held-back folders measure it. Writes the `## redaction` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import csv
import io
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from bench.results import machine, write_section
from bot.redaction.detect import WORK_SIDE, Box, find_regions
from bot.redaction.image import MARGIN, redact

DEFAULT_SET = Path("/work/shared-extra/redaction")
COVERED = 0.5
BEFORE = """Before (main at 012a75c: colour and character-stroke plate finder, frontal and one-way profile
cascades), same photos and split: held-back faces 14/23, plates 8/20 (40%) with 8 stray plate boxes;
tune faces 10/10, plates 15/36 (42%) with 14; 3.88 s of CPU for the 12 MP photo (now: PP-OCR adds
about 1.3 s; the third cascade pass, for faces turned the other way, is paid for by the coarser
scale step, 1.2 for 1.1). The stray plate boxes now are mostly text that reads like
a plate: parking-bay numbers painted on the ground, dealer placeholder plates, phone numbers on signs
(blurring them costs nothing), and plates the labels leave out (CCPD labels one plate a photo)."""
HELD_BACK = ("we0091234", "hyperlpr", "deface", "insightface")  # folders of DIR (SOURCES.md); the rest tune
TWELVE_MP = (4000, 3000)


def load_labels(folder: Path) -> dict[str, list[Box]]:
    labels: dict[str, list[Box]] = {}
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            boxes = labels.setdefault(row["file"], [])
            if row["kind"] != "none":
                boxes.append(Box(row["kind"], int(row["x"]), int(row["y"]), int(row["w"]), int(row["h"])))
    return labels


def covered(truth: Box, found: list[Box]) -> bool:
    area = truth.w * truth.h
    for box in found:
        if box.kind != truth.kind:
            continue
        dx, dy = round(box.w * MARGIN), round(box.h * MARGIN)
        w = min(truth.x + truth.w, box.x + box.w + dx) - max(truth.x, box.x - dx)
        h = min(truth.y + truth.h, box.y + box.h + dy) - max(truth.y, box.y - dy)
        if w > 0 and h > 0 and w * h >= COVERED * area:
            return True
    return False


def split_of(name: str) -> str:
    return "held-back" if name.split("/")[0] in HELD_BACK else "tune"


def evaluate(folder: Path) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]], Counter[tuple[str, str]],
                                    Counter[str], list[str]]:
    """Per (split, kind): labelled boxes, found, stray boxes; photos per split; the misses."""
    labelled, hits, stray = Counter[tuple[str, str]](), Counter[tuple[str, str]](), Counter[tuple[str, str]]()
    photos = Counter[str]()
    misses = []
    for name, truths in sorted(load_labels(folder).items()):
        split = split_of(name)
        photos[split] += 1
        with Image.open(folder / name) as im:
            found = find_regions(np.asarray(im.convert("RGB")))
        for truth in truths:
            labelled[split, truth.kind] += 1
            if covered(truth, found):
                hits[split, truth.kind] += 1
            else:
                misses.append(f"{name} ({truth.kind})")
        for box in found:
            if not any(covered(t, [box]) for t in truths if t.kind == box.kind):
                stray[split, box.kind] += 1
    return labelled, hits, stray, photos, misses


def time_twelve_mp(folder: Path, repeats: int) -> tuple[float, float, int]:
    """Median wall-clock and CPU seconds (this process, all its threads) of redacting one 12 MP JPEG."""
    with Image.open(folder / "hyperlpr" / "test_img.jpg") as im:
        big = im.convert("RGB").resize(TWELVE_MP, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    big.save(out, "JPEG", quality=92)
    data = out.getvalue()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        redact(data)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    labelled, hits, stray, photos, misses = evaluate(args.set)
    seconds, cpu_seconds, size = time_twelve_mp(args.set, args.repeats)
    load = os.getloadavg()[0]
    rows = "\n".join(
        f"| {split} ({photos[split]} photos) | {kind} | {labelled[split, kind]} | {hits[split, kind]} | "
        f"{hits[split, kind] / max(labelled[split, kind], 1):.0%} | {stray[split, kind]} "
        f"({stray[split, kind] / max(photos[split], 1):.2f} a photo) |"
        for split in ("held-back", "tune") for kind in ("face", "plate"))
    body = f"""Machine: {machine()}.

`python -m bench.redaction`: the redaction detector (OpenCV Haar cascades for faces, frontal and
profile both ways; PP-OCR text lines that read as a plate or are filled with a plate colour, from the
rapidocr wheel; bot/redaction/detect.py, choice: bench/redaction/DETECTORS.md) on
{len(load_labels(args.set))} labelled public photos (bench/redaction/SOURCES.md), split by source:
parameters chosen on tune, measured on held-back ({", ".join(HELD_BACK)}).
Found = the blurred boxes cover at least half of the labelled box.

| split | kind | labelled | found | recall | stray boxes (blurred, nothing labelled there) |
| --- | --- | --- | --- | --- | --- |
{rows}

{BEFORE}

Missed: {", ".join(misses) or "none"}.

Time to redact one 12 MP photo ({TWELVE_MP[0]}x{TWELVE_MP[1]} JPEG, {size / 1e6:.1f} MB: decode, orientation,
detection on a {WORK_SIDE}-pixel copy, blur, JPEG encode), median of {args.repeats}: **{seconds:.2f} s** wall clock,
{cpu_seconds:.2f} s of CPU, with the machine's load average at {load:.1f} on {os.cpu_count()} cores (other work
shared them: the CPU time is the steadier figure). A photo is redacted once,
by the worker's minute job, and the copy kept; no request waits for it.
"""
    write_section("redaction", body)
    print(body)


if __name__ == "__main__":
    main()
