"""What the public (the resident, the platform, Open311 readers) is told about a case step.

Notes staff write (a 退回 reason, a 返工 reason, any note) are internal: they stay in the audit trail
and never leave the service, since they can name people (「举报人王某(电话…)系恶意举报」). The public
text is the fixed one for the status below, or a reply the reviewer wrote explicitly for the public
(stored apart from the note, in the audit event's data under PUBLIC_REPLY)."""

from __future__ import annotations

import re

from models.audit import AuditEvent
from models.enums import CaseStatus

PUBLIC_REPLY = "public_reply"
PUBLIC_REPLY_MARK = re.compile(r"\s*公开\s*[:：]\s*")  # 「退回 编号 内部原因 公开: 给市民的答复」

PUBLIC_STATUS_TEXT = {
    CaseStatus.REPORTED: "已收到, 等待受理",
    CaseStatus.ACCEPTED: "已受理, 正在安排处置",
    CaseStatus.DISPATCHED: "已派遣责任单位处置",
    CaseStatus.RECTIFYING: "责任单位正在处置",
    CaseStatus.SUBMITTED: "处置完成, 等待核查",
    CaseStatus.RETURNED: "核查未通过, 责任单位重新处置",
    CaseStatus.VERIFIED: "整改完成, 已核查通过",
    CaseStatus.CLOSED: "已办结",
    CaseStatus.REJECTED: "经审核不属于城市管理受理范围, 不予受理",
}


def split_public_reply(text: str) -> tuple[str, str]:
    """(internal note, public reply) of what a reviewer typed; the reply only when marked 「公开:」."""
    internal, *reply = PUBLIC_REPLY_MARK.split(text, maxsplit=1)
    return internal.strip(), (reply[0].strip() if reply else "")


def public_reply(event: AuditEvent) -> str:
    """The reply the reviewer marked public on this step, or ""."""
    reply = (event.data or {}).get(PUBLIC_REPLY)
    return reply.strip() if isinstance(reply, str) else ""


def public_text(status: CaseStatus, event: AuditEvent | None = None) -> str:
    """The reviewer's public reply for this step when there is one, else the status's fixed text."""
    return (public_reply(event) if event is not None else "") or PUBLIC_STATUS_TEXT[status]
