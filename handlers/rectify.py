"""整改: an officer picks a dispatched case and sends the rectification photo; the worker checks it
(originality and same angle) and either submits the case for review or says how to retake it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.cases import Refusal, case_in_scope, open_tasks, require_role
from handlers.context import Context
from handlers.photos import receive_photo
from models import Case, CaseStatus, Photo, PhotoRole, Role, User
from models.calendar import TZ

FLOW = "rectify"
FIELD = (Role.OFFICER, Role.ROAD_CHIEF)
RECTIFIABLE = (CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.RETURNED)
HOW_TO_SHOOT = "站在问题照片的拍摄位置, 按相同方向拍摄, 用相机直接拍, 不要截图或修图。"


def list_tasks(ctx: Context) -> str:
    require_role(ctx, "我的任务", *FIELD)
    cases = open_tasks(ctx)
    if not cases:
        return "您目前没有待整改的案件。"
    lines = [f"{c.number} {c.status.label} 时限 {c.deadline.astimezone(TZ):%m-%d %H:%M}" if c.deadline
             else f"{c.number} {c.status.label}" for c in cases]
    return "待整改案件:\n" + "\n".join(lines) + "\n回复「整改 案件编号」开始整改。"


def begin(ctx: Context, argument: str) -> str:
    require_role(ctx, "整改", *FIELD)
    case = case_in_scope(ctx, argument)
    if case.status not in RECTIFIABLE:
        raise Refusal(f"案件 {case.number} 当前为「{case.status.label}」, 不需要整改。")
    if case.status == CaseStatus.DISPATCHED:
        case.assignee_id = ctx.user.id if ctx.user else None
        case.transition(CaseStatus.RECTIFYING, ctx.user)
    ctx.conversation.start(FLOW, "photo", {"case": case.number, "case_id": case.id})
    place = f"\n问题位置: {case.address}" if case.address else ""
    return f"请发送案件 {case.number} 的整改照片。{HOW_TO_SHOOT}{place}"


def step(ctx: Context) -> str:
    number = ctx.conversation.data["case"]
    if ctx.message.kind != "image":
        return f"请发送案件 {number} 的整改照片, 或回复「取消」。"
    receive_photo(ctx, PhotoRole.RECTIFICATION, case_id=ctx.conversation.data["case_id"], job="rectify.check")
    ctx.conversation.move("checking")
    return "已收到整改照片, 正在核验原图和拍摄角度, 结果几秒后通知您。"


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
