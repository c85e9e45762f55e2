"""When a case must be rectified: time limits and per-source deadline rules.

- ``TimeLimit``: a category's limit, written ``4h`` (4 working hours) or
  ``15d`` (15 working days); ``4工作时`` / ``15工作日`` are accepted too.
- ``SourceRules``: for each ``CaseSource`` either ``table`` (限时整改 by the
  category's time limit: 市第三方检查, 12345) or ``month_end`` (随手拍, 巡查上报,
  马路办公: rectified by the end of the month the case was reported in).
  A ``month_end`` rule may set a minimum time (column ``min_time``: ``1d``, ``4h``,
  or ``table`` for the category's own limit): a case reported with less working
  time than that left in the month is due at the end of the next month instead.
  Loaded from ``models/data/source_rules.csv``; a deployment can replace it.
- ``due_at``: applies the rule on the working calendar (models.calendar).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from models.calendar import (
    DEFAULT_HOURS,
    WorkingHours,
    add_working_days,
    add_working_hours,
    end_of_month,
    working_hours_between,
)
from models.enums import CaseSource

if TYPE_CHECKING:
    from models.categories import Category

_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|d|工作时|工作小时|工作日)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class TimeLimit:
    """A rectification time limit in working hours (``h``) or working days (``d``)."""

    amount: float
    unit: str  # "h" or "d"

    def __post_init__(self) -> None:
        if self.unit not in ("h", "d"):
            raise ValueError(f"时限单位只能是 h 或 d: {self.unit!r} / unit must be h or d")
        if not self.amount > 0:
            raise ValueError(f"时限必须大于 0: {self.amount} / limit must be positive")
        if self.unit == "d" and self.amount != int(self.amount):
            raise ValueError(
                f"工作日时限必须是整数: {self.amount} / working days must be whole"
            )

    @classmethod
    def parse(cls, text: str) -> TimeLimit:
        match = _LIMIT.match(text or "")
        if not match:
            raise ValueError(
                f"无法识别的时限 {text!r}，应写作 4h（工作时）或 15d（工作日） / "
                "bad time limit, expected e.g. 4h or 15d"
            )
        amount, unit = float(match[1]), match[2].lower()
        return cls(amount, "h" if unit in ("h", "工作时", "工作小时") else "d")

    def __str__(self) -> str:
        return f"{self.amount:g}{self.unit}"

    @property
    def label(self) -> str:
        """Chinese label, e.g. 4个工作时 / 15个工作日."""
        return f"{self.amount:g}个{'工作时' if self.unit == 'h' else '工作日'}"

    def hours(self, working: WorkingHours = DEFAULT_HOURS) -> float:
        return self.amount if self.unit == "h" else self.amount * working.hours_per_day

    def due_from(self, start: dt.datetime, working: WorkingHours = DEFAULT_HOURS) -> dt.datetime:
        if self.unit == "h":
            return add_working_hours(start, self.amount, working)
        return add_working_days(start, int(self.amount), working)


class DeadlineRule(StrEnum):
    TABLE = "table"  # the category's time limit on the working calendar
    MONTH_END = "month_end"  # end of the month of the report

    @property
    def label(self) -> str:
        return {DeadlineRule.TABLE: "限时整改", DeadlineRule.MONTH_END: "当月整改"}[self]


CATEGORY_LIMIT = "table"  # min_time: the category's own time limit is the minimum


@dataclass(frozen=True)
class SourceRules:
    rules: dict[CaseSource, DeadlineRule]
    # month_end sources only: the least working time a case gets before its month ends
    minimums: dict[CaseSource, TimeLimit | str] = field(default_factory=dict)

    def __getitem__(self, source: CaseSource) -> DeadlineRule:
        return self.rules[CaseSource(source)]

    def minimum(self, source: CaseSource, category: Category) -> TimeLimit | None:
        wanted = self.minimums.get(CaseSource(source))
        return category.limit if wanted == CATEGORY_LIMIT else wanted  # type: ignore[return-value]

    @classmethod
    def load(cls, path: str | Path | None = None) -> SourceRules:
        """Read ``source,rule[,min_time]`` rows; every CaseSource must have exactly one rule."""
        if path is None:
            return _packaged_rules()
        return cls._parse(Path(path).read_text(encoding="utf-8"), str(path))

    @classmethod
    def _parse(cls, text: str, name: str) -> SourceRules:
        reader = csv.DictReader(text.splitlines())
        if reader.fieldnames is None or not {"source", "rule"} <= set(reader.fieldnames):
            raise ValueError(f"{name}: 表头应为 source,rule[,min_time] / header must be source,rule[,min_time]")
        rules: dict[CaseSource, DeadlineRule] = {}
        minimums: dict[CaseSource, TimeLimit | str] = {}
        for row in reader:
            where = f"{name} 第 {reader.line_num} 行 (line {reader.line_num})"
            try:
                source = CaseSource((row["source"] or "").strip())
                rule = DeadlineRule((row["rule"] or "").strip())
            except ValueError as exc:
                raise ValueError(
                    f"{where}: {exc}；source 可选 {[s.value for s in CaseSource]}，"
                    f"rule 可选 {[r.value for r in DeadlineRule]}"
                ) from None
            if source in rules:
                raise ValueError(f"{where}: 来源 {source.value} 重复 / duplicate source")
            rules[source] = rule
            minimum = _minimum((row.get("min_time") or "").strip(), rule, where)
            if minimum is not None:
                minimums[source] = minimum
        missing = [s.value for s in CaseSource if s not in rules]
        if missing:
            raise ValueError(f"{name}: 缺少来源 {missing} 的规则 / no rule for {missing}")
        return cls(rules, minimums)


def _minimum(text: str, rule: DeadlineRule, where: str) -> TimeLimit | str | None:
    if not text:
        return None
    if rule is not DeadlineRule.MONTH_END:
        raise ValueError(f"{where}: min_time 只用于 month_end 规则, 请留空 / min_time is for month_end rules only")
    if text == CATEGORY_LIMIT:
        return CATEGORY_LIMIT
    try:
        return TimeLimit.parse(text)
    except ValueError as exc:
        raise ValueError(f"{where}: min_time {exc}；也可写 {CATEGORY_LIMIT} (按类别时限) 或留空") from None


@cache
def _packaged_rules() -> SourceRules:
    resource = files("models") / "data" / "source_rules.csv"
    return SourceRules._parse(resource.read_text(encoding="utf-8"), "source_rules.csv")


def due_at(
    source: CaseSource,
    category: Category,
    reported_at: dt.datetime,
    rules: SourceRules | None = None,
    working: WorkingHours = DEFAULT_HOURS,
) -> dt.datetime:
    """Deadline of a case reported at ``reported_at`` (timezone-aware)."""
    rules = rules or SourceRules.load()
    if rules[source] is DeadlineRule.MONTH_END:
        month_end = end_of_month(reported_at)
        minimum = rules.minimum(source, category)
        # Counted within this month only, so no calendar data of a later year is needed.
        if minimum is not None and working_hours_between(reported_at, month_end, working) < minimum.hours(working):
            return end_of_month(month_end + dt.timedelta(days=1))  # too little time left: the next month's end
        return month_end
    return category.limit.due_from(reported_at, working)
