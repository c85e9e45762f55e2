"""Telling the platform about verify and close, where it can hear it.

POST servicerequestupdates is FixMyStreet's extension, no part of GeoReport v2: a spec-only platform
has no way to receive our verify or close. There the step is not sent and not parked: the job
completes with an audit note saying so, and the platform's own decision (closed, or sent back for
rework) still comes back through `chengguan platform poll`. A platform that answers the POST with
405/501, or a 404 that names no request, is recorded as having no updates, so later steps skip it without asking.
"""

from __future__ import annotations

from bot.uplink.capabilities import NO, YES, learn
from bot.uplink.client import Open311Client, PlatformRejected, PlatformUnavailable
from bot.worker import JobContext
from models.audit import AuditEvent
from models.cases import Case

SKIPPED = "平台不支持更新: 已跳过"
ACTION = "platform_skipped"
STEP_NAMES = {"verify": "核查结果", "close": "结案"}


def send_update(ctx: JobContext, client: Open311Client, updates: str, fields: dict[str, str]) -> bool:
    """True when the platform took the update; False when it has no updates (skip the step)."""
    if updates == NO:
        return False
    try:
        client.post_update(fields)
    except (PlatformRejected, PlatformUnavailable) as exc:
        if not _no_endpoint(exc, updates, fields.get("service_request_id", "")):
            raise
        learn(ctx.service.sessions, updates=NO)
        return False
    return True


def _no_endpoint(exc: PlatformRejected | PlatformUnavailable, updates: str, request_id: str) -> bool:
    """The address does not exist, as opposed to "no such request" from a platform that has updates."""
    status = getattr(exc, "status", None)
    if status in (405, 501):
        return True
    text = str(exc).lower()
    return status == 404 and updates != YES and "service_request" not in text and (
        not request_id or request_id.lower() not in text)


def note_skipped(ctx: JobContext, case_id: int, action: str, request_id: str) -> None:
    """The audit line that says this step did not go to the platform, and why (the job's transaction)."""
    case = ctx.session.get_one(Case, case_id)
    ctx.session.add(AuditEvent(
        case_id=case.id, action=ACTION, from_status=case.status, to_status=case.status,
        note=f"{STEP_NAMES.get(action, action)}未上报 ({SKIPPED}); 平台结案或返工仍由状态查询同步",
        data={"origin": "platform", "step": action, "service_request_id": request_id}))
