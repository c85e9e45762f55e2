"""CHENGGUAN_RETENTION_DAYS: how many days each kind of personal data is kept.

Written as `inbox=30,photos_closed=365,conversation=7`; kinds left out keep their default. A resident
silent for `residents` days with no open case is anonymised as on 「删除我的信息」. Audit events
are not a kind: they are the cases' record, which the monthly assessment counts from, and they hold no
identity once a resident's information is deleted (the actor is a pseudonym).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

VARIABLE = "CHENGGUAN_RETENTION_DAYS"
EXAMPLE = "inbox=30,photos_closed=365,conversation=7"


class RetentionSettingError(ValueError):
    """One line naming the variable and the fix (wrapped into ConfigError)."""


@dataclass(frozen=True)
class RetentionDays:
    inbox: int = 30            # raw inbound messages (payloads with openids, texts, locations)
    conversation: int = 7      # conversation state rows (openid, draft), after the last message
    photos_closed: int = 365   # photos of cases closed (结案 / 不予受理) this long ago
    photos_unused: int = 30    # photos never attached to a case (a draft given up)
    jobs: int = 30             # finished outbox jobs (their payloads carry openids and message texts)
    residents: int = 365       # a resident silent this long, with no open case, is anonymised as on 「删除我的信息」

    @classmethod
    def kinds(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def describe(self) -> str:
        return ",".join(f"{kind}={getattr(self, kind)}" for kind in self.kinds())


def parse_retention(raw: str) -> RetentionDays:
    """The setting's value; an empty one gives the defaults. The error names the entry, not the whole value."""
    values: dict[str, int] = {}
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        kind, equals, days = (piece.strip() for piece in entry.partition("="))
        if kind not in RetentionDays.kinds():
            raise RetentionSettingError(
                f"{VARIABLE}: 没有 {kind!r} 这一类; 可用: {', '.join(RetentionDays.kinds())} (如 {EXAMPLE})")
        if not equals or not days.isdigit() or int(days) <= 0:
            raise RetentionSettingError(f"{VARIABLE}: {kind} 的天数应为正整数, 如 {kind}=30 (写法: {EXAMPLE})")
        values[kind] = int(days)
    return RetentionDays(**values)
