"""Phone screen geometry: screenshots come at (or scaled from) a handful of screen sizes."""

from __future__ import annotations

# Portrait (width, height) of common phone screens, iPhone and Android, 2015-2025.
PHONE_SCREENS: frozenset[tuple[int, int]] = frozenset({
    (640, 1136), (750, 1334), (828, 1792), (1080, 1920), (1125, 2436), (1170, 2532),
    (1179, 2556), (1242, 2208), (1242, 2688), (1284, 2778), (1290, 2796), (1206, 2622),
    (1320, 2868), (720, 1280), (720, 1440), (720, 1520), (720, 1600), (1080, 2160),
    (1080, 2220), (1080, 2240), (1080, 2244), (1080, 2280), (1080, 2310), (1080, 2340),
    (1080, 2376), (1080, 2400), (1080, 2408), (1080, 2412), (1080, 2436), (1080, 2460),
    (1084, 2412), (1096, 2560), (1116, 2484), (1152, 2376), (1200, 2640), (1200, 2670),
    (1220, 2712), (1224, 2700), (1228, 2700), (1236, 2745), (1240, 2772), (1256, 2760),
    (1260, 2720), (1260, 2800), (1264, 2780), (1280, 2772), (1440, 2560), (1440, 2880),
    (1440, 2960), (1440, 3040), (1440, 3088), (1440, 3120), (1440, 3168), (1440, 3200),
})

# Camera sensors give 4:3, 3:2, 16:9 or 1:1; these tall ratios are screens.
_TALL_RATIO = 1.95


def is_phone_screen_size(width: int, height: int) -> bool:
    """Exactly a known phone screen (either orientation)."""
    return (min(width, height), max(width, height)) in PHONE_SCREENS


def is_screen_aspect(width: int, height: int, tolerance: float = 0.004) -> bool:
    """Aspect ratio of a known phone screen (a downscaled screenshot), and taller than any camera."""
    short, long_ = min(width, height), max(width, height)
    if short <= 0 or long_ / short < _TALL_RATIO:
        return False
    ratio = long_ / short
    return any(abs(ratio - h / w) <= tolerance * ratio for w, h in PHONE_SCREENS)
