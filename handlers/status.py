"""查询: a resident sees their own cases and where each one stands."""

from __future__ import annotations

from sqlalchemy import select

from handlers.catalog import categories
from handlers.context import Context
from models import Case
from models.calendar import TZ

LIST_LIMIT = 10


def query(ctx: Context, argument: str) -> str:
    if ctx.user is None:
        return "请先绑定身份后再查询。"
    if argument:
        return _one(ctx, argument.strip())
    cases = ctx.session.scalars(
        select(Case).where(Case.reporter_id == ctx.user.id).order_by(Case.id.desc()).limit(LIST_LIMIT)
    ).all()
    if not cases:
        return "您还没有上报过问题。发送一张照片即可开始随手拍。"
    lines = [f"{c.number} {c.status.label} {_category(c)}" for c in cases]
    return "您最近上报的问题:\n" + "\n".join(lines) + "\n回复「查询 案件编号」查看详情。"


def _one(ctx: Context, number: str) -> str:
    case = ctx.session.scalars(select(Case).where(Case.number == number)).one_or_none()
    if case is None or ctx.user is None or case.reporter_id != ctx.user.id:
        return f"未找到您上报的案件 {number}, 请检查编号。回复「查询」列出您的案件。"
    reported = case.created_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"案件 {case.number}",
        f"状态: {case.status.label}",
        f"类别: {_category(case)}",
        f"上报时间: {reported}",
    ]
    if case.deadline and not case.is_final:
        lines.append(f"处理时限: {case.deadline.astimezone(TZ):%Y-%m-%d %H:%M}")
    if case.satisfaction:
        lines.append(f"您的评价: {case.satisfaction.label}")
    return "\n".join(lines)


def _category(case: Case) -> str:
    try:
        return categories().get(case.category_code).label
    except KeyError:
        return case.category_code
