"""A calendar month in Asia/Shanghai, as the assessment counts it: [first day 00:00, next first 00:00)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime

from models.calendar import TZ


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"月份格式应为 YYYY-MM, 例如 2026-11 (收到 {text!r})")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime | date) -> Month:
        if isinstance(moment, datetime):
            moment = moment.astimezone(TZ)
        return cls(moment.year, moment.month)

    @cached_property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=TZ)

    @cached_property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end  # start/end are computed once

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"
