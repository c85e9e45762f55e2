"""Personal numbers masked in free text that leaves the service: mobile and landline numbers,
18-digit resident ID numbers and Chinese licence plates (13800001111 -> 138****1111,
京A12345 -> 京A·****5). The numbers are found by their fixed shapes, never by guessing names."""

from __future__ import annotations

import re

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{3,4})[- ]?(\d{4})(?!\d)")
_PLATE = re.compile(rf"([{PROVINCES}])\s?([A-Z])\s?[·•.\- ]?\s?([A-Z0-9]{{4,5}})([A-Z0-9挂学警港澳])(?![A-Z0-9])",
                    re.IGNORECASE)


def mask_personal_numbers(text: str) -> str:
    text = _ID_CARD.sub(lambda m: m[1][:3] + "*" * 14 + m[4], text)
    text = _MOBILE.sub(lambda m: f"{m[1]}****{m[3]}", text)
    text = _LANDLINE.sub(lambda m: f"{m[1]}-****{m[3]}", text)
    return _PLATE.sub(lambda m: f"{m[1]}{m[2].upper()}·{'*' * len(m[3])}{m[4].upper()}", text)
