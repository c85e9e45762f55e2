"""满意度回访: after a case is closed the resident is asked to rate it; the answer is stored on the case."""

from __future__ import annotations

from sqlalchemy import select

from handlers.context import Context
from models import Case, Satisfaction

ANSWERS = {
    "满意": Satisfaction.SATISFIED, "1": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.MOSTLY, "2": Satisfaction.MOSTLY,
    "不满意": Satisfaction.UNSATISFIED, "3": Satisfaction.UNSATISFIED,
}


def question(case: Case) -> str:
    return (
        f"您上报的案件 {case.number} 已处理完毕。请评价处理结果, 回复:\n"
        "1. 满意\n2. 基本满意\n3. 不满意"
    )


def awaiting_rating(ctx: Context) -> Case | None:
    """The resident's most recent closed case that was asked about and not yet rated."""
    if ctx.user is None:
        return None
    return ctx.session.scalars(
        select(Case)
        .where(Case.reporter_id == ctx.user.id, Case.feedback_asked_at.is_not(None), Case.satisfaction.is_(None))
        .order_by(Case.feedback_asked_at.desc())
        .limit(1)
    ).one_or_none()


def record(ctx: Context, case: Case, answer: str) -> str:
    case.satisfaction, case.rated_at = ANSWERS[answer], ctx.now
    if case.satisfaction is Satisfaction.UNSATISFIED:
        return f"已记录您对案件 {case.number} 的评价: 不满意。我们会安排复查, 感谢您的监督。"
    return f"已记录您对案件 {case.number} 的评价: {case.satisfaction.label}。感谢您的支持!"
