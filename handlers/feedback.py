"""满意度回访: after a case is closed the resident is asked to rate it; the answer is stored on the case.

The question goes out as tappable choices (msgmenu) inside WeChat's customer-service window; a tap comes
back as a text message carrying the choice's id (bizmsgmenuid), which names the case and the answer.
Elsewhere the resident answers by typing 1, 2 or 3.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.context import Context
from models import Case, Satisfaction

CHOICES = (("1", Satisfaction.SATISFIED), ("2", Satisfaction.MOSTLY), ("3", Satisfaction.UNSATISFIED))
ANSWERS = {
    **{digit: rating for digit, rating in CHOICES},
    **{rating.label: rating for _digit, rating in CHOICES},
}


def question(case: Case) -> str:
    return (
        f"您上报的案件 {case.number} 已处理完毕。请评价处理结果, 回复:\n"
        "1. 满意\n2. 基本满意\n3. 不满意"
    )


def question_menu(case: Case) -> dict[str, Any]:
    """The question as WeChat's msgmenu: each choice's id is the case id followed by the answer digit."""
    return {
        "head_content": f"您上报的案件 {case.number} 已处理完毕, 请点选您对处理结果的评价:",
        "list": [{"id": f"{case.id}{digit}", "content": rating.label} for digit, rating in CHOICES],
        "tail_content": "感谢您参与城市管理!",
    }


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


def record_tap(ctx: Context, menu_id: str) -> str:
    """A tapped msgmenu choice: only the resident's own case, asked and not yet rated, takes it."""
    digit, case_id = menu_id[-1:], menu_id[:-1]
    case = ctx.session.get(Case, int(case_id)) if case_id.isdigit() and len(case_id) < 12 else None
    if digit not in dict(CHOICES) or case is None or ctx.user is None or case.reporter_id != ctx.user.id:
        return "这个评价选项已失效。回复「查询」查看您的案件。"
    if case.satisfaction is not None:
        return f"案件 {case.number} 已评价过 ({case.satisfaction.label}), 感谢您的支持!"
    if case.feedback_asked_at is None:
        return f"案件 {case.number} 还不能评价。回复「查询 {case.number}」查看进度。"
    return record(ctx, case, digit)
