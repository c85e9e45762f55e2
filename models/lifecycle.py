"""The case lifecycle as one explicit table: which step leads where, and who may take it.

reported -> accepted -> dispatched -> rectifying -> submitted -> verified -> closed
submitted -> returned (返工) -> submitted; verified -> returned when the city platform sends it back
reported -> rejected (not a city-management matter)
any open status -> duplicate (重复, linked to the original case)

A step taken by the service itself (the worker applying a platform verdict, automatic dispatch
by the routing table) has no user behind it: `system=True` allows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import CaseStatus as S
from models.enums import Role as R

_REVIEW = frozenset({R.REVIEWER, R.ADMIN})
_FIELD = frozenset({R.OFFICER, R.ROAD_CHIEF})


@dataclass(frozen=True)
class Step:
    source: S
    target: S
    action: str          # audit action code
    label: str           # Chinese name shown to people
    roles: frozenset[R]
    system: bool = False


STEPS: tuple[Step, ...] = (
    Step(S.REPORTED, S.ACCEPTED, "accept", "受理", _REVIEW),
    Step(S.REPORTED, S.REJECTED, "reject", "不予受理", _REVIEW),
    Step(S.ACCEPTED, S.DISPATCHED, "dispatch", "派遣", _REVIEW, system=True),
    Step(S.DISPATCHED, S.RECTIFYING, "start", "开始处置", _FIELD, system=True),
    Step(S.RECTIFYING, S.SUBMITTED, "submit", "提交整改", _FIELD),
    Step(S.SUBMITTED, S.VERIFIED, "verify", "核查通过", _REVIEW),
    Step(S.SUBMITTED, S.RETURNED, "return", "返工", _REVIEW, system=True),
    # The city platform's own check comes after ours; what it returns is rework too (返工).
    Step(S.VERIFIED, S.RETURNED, "return", "返工", frozenset(), system=True),
    Step(S.RETURNED, S.SUBMITTED, "resubmit", "重新提交整改", _FIELD),
    Step(S.VERIFIED, S.CLOSED, "close", "结案", _REVIEW, system=True),
    # 重复: a reviewer finds the same problem already reported; it closes, linked to the original.
    *(Step(open_status, S.DUPLICATE, "duplicate", "重复", _REVIEW)
      for open_status in (S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.RETURNED)),
)

TRANSITIONS: dict[tuple[S, S], Step] = {(s.source, s.target): s for s in STEPS}
FINAL: frozenset[S] = frozenset({S.CLOSED, S.REJECTED, S.DUPLICATE})


class TransitionError(Exception):
    """A step that the lifecycle or the actor's role does not allow. Nothing was changed."""

    def __init__(self, message_zh: str, code: str) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh


class IllegalTransition(TransitionError):
    def __init__(self, case_number: str, source: S, target: S) -> None:
        allowed = "、".join(s.target.label for s in STEPS if s.source == source) or "无 (案件已办结)"
        super().__init__(
            f"案件 {case_number} 当前为「{source.label}」, 不能变为「{target.label}」。可进行: {allowed}",
            "transition.illegal",
        )
        self.source, self.target = source, target


class RoleNotAllowed(TransitionError):
    def __init__(self, step: Step, role: R | None) -> None:
        who = "、".join(sorted(r.label for r in step.roles))
        actor = role.label if role else "系统"
        super().__init__(f"「{step.label}」只能由{who}操作, 您的身份是{actor}", "transition.role")
        self.step, self.role = step, role


def find_step(case_number: str, source: S, target: S) -> Step:
    step = TRANSITIONS.get((source, target))
    if step is None:
        raise IllegalTransition(case_number, source, target)
    return step
