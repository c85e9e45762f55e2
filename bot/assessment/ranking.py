"""The monthly ranking (一月一排名): a score per street (or unit) and the change from last month.

Score (得分, 0–100) = 100 × the weighted mean of the indicators that have a value —
按期结案率 40, 结案率 20, (1 − 返工率) 20, 满意率 20 — minus 1 point for each case returned 3 or
more times (city rules deduct more for those). Weights of missing indicators are left out, so a street
with no rated case is judged on the rest; a street with no indicator at all is not ranked.
The weights are a default; cities differ, so pass your own `ScoreRule`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.assessment.indicators import Indicators


@dataclass(frozen=True)
class ScoreRule:
    on_time: float = 40
    closure: float = 20
    no_rework: float = 20
    satisfaction: float = 20
    per_case_returned_3plus: float = 1.0

    def score(self, ind: Indicators) -> float | None:
        parts = [
            (self.on_time, ind.on_time_rate),
            (self.closure, ind.closure_rate),
            (self.no_rework, None if ind.rework_rate is None else 1 - ind.rework_rate),
            (self.satisfaction, ind.satisfaction_rate),
        ]
        present = [(w, v) for w, v in parts if v is not None and w > 0]
        if not present:
            return None
        weighted = sum(w * v for w, v in present) / sum(w for w, _ in present)
        return round(100 * weighted - self.per_case_returned_3plus * ind.returned_3plus, 2)


@dataclass(frozen=True)
class Ranked:
    scope_id: int
    score: float | None
    rank: int | None          # 1 = best; None = not ranked (nothing to assess)
    previous_rank: int | None

    @property
    def change(self) -> int | None:
        """Places gained since last month (+2 = up two); None when either month is unranked."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def change_label(self) -> str:
        if self.rank is None:
            return "—"
        if self.previous_rank is None:
            return "新"
        change = self.change or 0
        return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "持平"


def ranks(indicators: Mapping[int, Indicators], order: Mapping[int, str], rule: ScoreRule) -> dict[int, tuple[float | None, int | None]]:
    """Score and rank of every scope in `order` (id -> code, the tie-break); equal scores share a rank."""
    scored = {sid: rule.score(indicators.get(sid, Indicators())) for sid in order}
    ranked = sorted((sid for sid, s in scored.items() if s is not None), key=lambda sid: (-scored[sid], order[sid]))  # type: ignore[operator]
    result: dict[int, tuple[float | None, int | None]] = {sid: (None, None) for sid in order}
    previous_score, previous_rank = None, 0
    for position, sid in enumerate(ranked, start=1):
        rank = previous_rank if scored[sid] == previous_score else position
        result[sid] = (scored[sid], rank)
        previous_score, previous_rank = scored[sid], rank
    return result


def rank_with_change(
    current: Mapping[int, Indicators], previous: Mapping[int, Indicators], order: Mapping[int, str],
    rule: ScoreRule | None = None,
) -> list[Ranked]:
    """This month's ranking, best first (unranked last, by code), with last month's rank beside it."""
    rule = rule or ScoreRule()
    now, before = ranks(current, order, rule), ranks(previous, order, rule)
    rows = [Ranked(sid, now[sid][0], now[sid][1], before[sid][1]) for sid in order]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, order[r.scope_id]))
