"""整改: an officer picks a dispatched case and sends the rectification photo; the worker checks it
(originality and same angle) and either submits the case for review or says how to retake it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.cases import Refusal, case_in_scope, open_tasks, require_role
from handlers.context import Context
from handlers.photos import held_photo, receive_photo
from models import Case, CaseStatus, Photo, PhotoRole, Role, User
from models.calendar import TZ

FLOW = "rectify"
FIELD = (Role.OFFICER, Role.ROAD_CHIEF)
RECTIFIABLE = (CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.RETURNED)
IN_HAND = (CaseStatus.RECTIFYING, CaseStatus.RETURNED)  # started by this officer, or sent back for rework
HOW_TO_SHOOT = "站在问题照片的拍摄位置, 按相同方向拍摄, 用相机直接拍, 不要截图或修图。"
NOT_A_NEW_PROBLEM = "\n如果这是新发现的问题, 请回复「巡查」上报。"


def list_tasks(ctx: Context) -> str:
    require_role(ctx, "我的任务", *FIELD)
    cases = open_tasks(ctx)
    if not cases:
        return "您目前没有待整改的案件。"
    return "待整改案件:\n" + "\n".join(_line(c) for c in cases) + "\n回复「整改 案件编号」开始整改。"


def begin(ctx: Context, argument: str) -> str:
    """「整改 编号」; a bare 「整改」 takes the only open case, or lists them to choose by number."""
    require_role(ctx, "整改", *FIELD)
    if argument:
        return _begin_case(ctx, case_in_scope(ctx, argument, "整改"))
    cases = open_tasks(ctx)
    if not cases:
        return "您目前没有待整改的案件。"
    if len(cases) == 1:
        return _begin_case(ctx, case_in_scope(ctx, cases[0].number, "整改"))
    ctx.conversation.start(FLOW, "choose", {"choices": [c.number for c in cases]})
    return f"您有{len(cases)}件待整改案件, 请回复序号选择:\n" + _numbered(cases)


def photo_outside_flow(ctx: Context) -> str | None:
    """A photo sent with no flow open, by someone with cases in 整改 (整改中 / 返工): the rectification
    photo of the only one, or held until they say which one. None when they have none in hand."""
    in_hand = cases_in_hand(ctx)
    if not in_hand:
        return None
    if len(in_hand) == 1:
        _begin_case(ctx, case_in_scope(ctx, in_hand[0].number, "整改"))
        return _take_photo(ctx) + NOT_A_NEW_PROBLEM
    ctx.conversation.start(FLOW, "choose", {"choices": [c.number for c in in_hand], "photo": held_photo(ctx)})
    return "这张照片是哪件案件的整改照片? 请回复序号:\n" + _numbered(in_hand) + NOT_A_NEW_PROBLEM


def cases_in_hand(ctx: Context) -> list[Case]:
    assert ctx.user is not None
    return list(ctx.session.scalars(
        select(Case).where(Case.assignee_id == ctx.user.id, Case.status.in_(IN_HAND)).order_by(Case.deadline, Case.id)))


def _begin_case(ctx: Context, case: Case) -> str:
    if case.status not in RECTIFIABLE:
        raise Refusal(f"案件 {case.number} 当前为「{case.status.label}」, 不需要整改。")
    if case.status == CaseStatus.DISPATCHED:
        case.assignee_id = ctx.user.id if ctx.user else None
        case.transition(CaseStatus.RECTIFYING, ctx.user)
    ctx.conversation.start(FLOW, "photo", {"case": case.number, "case_id": case.id})
    place = f"\n问题位置: {case.address}" if case.address else ""
    return f"请发送案件 {case.number} 的整改照片。{HOW_TO_SHOOT}{place}"


def step(ctx: Context) -> str:
    if ctx.conversation.state == "choose":
        return _choose(ctx)
    number = ctx.conversation.data["case"]
    if ctx.message.kind != "image":
        return f"请发送案件 {number} 的整改照片, 或回复「取消」。"
    return _take_photo(ctx)


def _take_photo(ctx: Context, held: dict[str, str] | None = None) -> str:
    data = ctx.conversation.data
    receive_photo(ctx, PhotoRole.RECTIFICATION, case_id=data["case_id"], job="rectify.check", held=held)
    ctx.conversation.move("checking")
    return f"已收到案件 {data['case']} 的整改照片, 正在核验原图和拍摄角度, 结果几秒后通知您。"


def _choose(ctx: Context) -> str:
    data, m = ctx.conversation.data, ctx.message
    choices: list[str] = data["choices"]
    if m.kind == "image":  # kept until the case is chosen; a newer photo replaces an older one
        ctx.conversation.move("choose", photo=held_photo(ctx))
        return f"已收到照片。请回复序号 (1-{len(choices)}) 选择它属于哪件案件:\n" + _numbered_choices(choices)
    text = m.text.strip() if m.kind == "text" else ""
    chosen = choices[int(text) - 1] if text.isdigit() and 1 <= int(text) <= len(choices) else None
    if chosen is None:
        return f"请回复序号 (1-{len(choices)}) 选择案件, 或回复「取消」。"
    held = ctx.conversation.data.get("photo")
    reply = _begin_case(ctx, case_in_scope(ctx, chosen, "整改"))
    return _take_photo(ctx, held) if held else reply


def _numbered_choices(numbers: list[str]) -> str:
    return "\n".join(f"{i}. {number}" for i, number in enumerate(numbers, 1))


def _numbered(cases: list[Case]) -> str:
    return "\n".join(f"{i}. {_line(c)}" for i, c in enumerate(cases, 1))


def _line(case: Case) -> str:
    due = f" 时限 {case.deadline.astimezone(TZ):%m-%d %H:%M}" if case.deadline else ""
    return f"{case.number} {case.status.label}{due}"


def submit_checked_rectification(session: Session, case: Case, photo: Photo) -> bool:
    """Move the case to 待核查 with this (checked, passed) photo; False when its state does not allow it yet."""
    officer = session.get(User, photo.uploaded_by) if photo.uploaded_by else None
    if case.status == CaseStatus.DISPATCHED:
        case.assignee_id = photo.uploaded_by
        case.transition(CaseStatus.RECTIFYING, None, note="整改照片已提交")
    if case.status not in (CaseStatus.RECTIFYING, CaseStatus.RETURNED):
        return False
    case.transition(CaseStatus.SUBMITTED, officer, data={"photo_id": photo.id})
    return True
