"""Queue the platform push in the same transaction as the case step that needs it.

`install(sessions, config)` registers a before_flush listener on that session factory: every new
audit event for accept, verify or close adds an outbox job per enabled uplink, keyed so that the
same step is never queued twice. Steps the platform itself caused (data["origin"] == "platform")
are not echoed back. Nothing is installed when no uplink is configured.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from models.audit import AuditEvent
from models.cases import Case
from models.outbox import enqueue

PUSHED_ACTIONS = ("accept", "verify", "close")
ORIGIN_PLATFORM = "platform"
KIND_OPEN311 = "open311.push"
KIND_WEBHOOK = "webhook.push"


def install(sessions: sessionmaker[Session], config: Config) -> None:
    from bot.uplink.jobs import step_kinds  # the adapter table imports the handlers, which import this module

    kinds = step_kinds(config.platform)
    if not kinds:
        return

    def queue_pushes(session: Session, _context: Any, _instances: Any) -> None:
        steps = [o for o in session.new if isinstance(o, AuditEvent) and o.action in PUSHED_ACTIONS
                 and (o.data or {}).get("origin") != ORIGIN_PLATFORM]
        if not steps:
            return
        with session.no_autoflush:
            for step in steps:
                case = session.get(Case, step.case_id)
                if case is None:
                    continue
                for kind in kinds:
                    enqueue(session, kind, {"case_id": case.id, "action": step.action},
                            key=step_key(kind, case, step.action))

    event.listen(sessions, "before_flush", queue_pushes)


def step_key(kind: str, case: Case, action: str) -> str:
    """open311:17:accept, open311:17:verify:0 (a case verified again after a rework is a new step)."""
    target = kind.split(".")[0]
    suffix = f"{action}:{case.rework_count}" if action == "verify" else action
    return f"{target}:{case.id}:{suffix}"


def case_step_keys(target: str, case: Case) -> list[str]:
    """Every key a step job of this case can have (exact keys, so lookups use the unique index)."""
    steps = ["accept", "close", *(f"verify:{n}" for n in range(case.rework_count + 1))]
    keys = [f"{target}:{case.id}:{step}" for step in steps]
    return keys + [f"{key}:after-token" for key in keys]
