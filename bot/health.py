"""GET /healthz: can the database take a write, and is the worker alive (when one has run)?

The write is real (a heartbeat row, rolled back): a database that answers SELECT 1 but refuses writes
(a read-only standby after a failover, a full disk, a read-only file) cannot take a single report.
200 with status "ok", or 503 with status "degraded" and a Chinese `reason` naming what to check.
Driver messages stay out of the answer: they can carry host names and user names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot import __version__
from bot.service import Service
from models.base import utcnow
from models.heartbeat import PROBE, STALE_AFTER, WORKER, Heartbeat, beat


def health(service: Service) -> tuple[dict[str, Any], int]:
    now = utcnow()
    reasons: list[str] = []
    worker = "none"
    try:
        last_beat = _probe_write(service, now)
        database = "ok"
    except Exception as exc:  # any driver error means "not healthy": reported, not raised
        database, last_beat = f"error: {type(exc).__name__}", None
        reasons.append(f"数据库无法写入 ({type(exc).__name__}); 请检查数据库服务、磁盘空间和 DATABASE_URL 的写权限")
    if last_beat is not None:
        silent = now - last_beat
        worker = "ok" if silent <= STALE_AFTER else "stale"
        if worker == "stale":
            reasons.append(f"后台任务 (worker) 已 {int(silent.total_seconds() // 60)} 分钟没有心跳; "
                           "请检查 chengguan worker 进程是否在运行")
    body: dict[str, Any] = {"status": "degraded" if reasons else "ok", "database": database, "worker": worker,
                            "version": __version__}
    if reasons:
        body["reason"] = "; ".join(reasons)
    return body, 503 if reasons else 200


def _probe_write(service: Service, now: datetime) -> datetime | None:
    """Write the probe row and read the worker's beat in one transaction, then roll it back."""
    with service.sessions() as session:
        try:
            beat(session, PROBE, now)
            session.flush()
            return session.scalar(select(Heartbeat.beat_at).where(Heartbeat.name == WORKER))
        finally:
            session.rollback()
