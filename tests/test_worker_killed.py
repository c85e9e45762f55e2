"""A real worker process killed (SIGKILL) in the middle of a customer-service send: its claimed jobs
are free again within the short lease, the photo job it had not started runs in another worker, and the
message it was sending (which WeChat delivered) is parked for a person, not sent a second time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Response, request
from sqlalchemy import select

from bot.config import Config
from bot.db import transaction
from bot.jobs import job_handlers
from bot.service import Service
from bot.simulator.api import FakeWeChatAPI, running_api
from bot.worker import Worker
from models import JobStatus, OutboxJob, Photo, PhotoRole, PhotoStatus, utcnow
from models.outbox import enqueue
from tests.chat import mp_env
from tests.photos import photo
from tests.staff.scenario import PROBLEM

LEASE_S = 2
WAIT_S = 60
TEXT = "案件 2026112900001 已受理, 正在派遣。"


@dataclass
class HoldingAPI(FakeWeChatAPI):
    """Holds the first customer-service message until released; it is delivered all the same (the
    sender's death does not take back a message WeChat has received)."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def _custom_send(self) -> Response:
        if not self.arrived.is_set():
            request.get_json(force=True)  # read (and keep) the body before the sender dies
            self.arrived.set()
            self.release.wait(WAIT_S)
        return super()._custom_send()


def test_a_killed_worker_leaves_short_leases_and_its_interrupted_send_is_not_repeated(  # type: ignore[no-untyped-def]
    service, database_url: str, tmp_path: Path,
) -> None:
    with running_api(HoldingAPI()) as api:
        env = {**mp_env(api, database_url, tmp_path / "data"), "CHENGGUAN_JOB_LEASE_SECONDS": str(LEASE_S)}
        local = Service.build(Config.from_env(env))
        api.user_wrote("resident-1")  # inside WeChat's customer-service window
        try:
            with transaction(local.sessions) as s:
                text_job = enqueue(s, "notify.text", {"channel": "mp", "to": "resident-1", "text": TEXT})
                pending = Photo(role=PhotoRole.PROBLEM, status=PhotoStatus.PENDING)
                s.add(pending)
                s.flush()
                pic_url, media_id = api.add_media(photo(PROBLEM))
                photo_job = enqueue(s, "photo.fetch", {"photo_id": pending.id, "channel": "mp", "sender": "resident-1",
                                                       "pic_url": pic_url, "media_id": media_id})
                s.flush()
                ids = (text_job.id, photo_job.id)  # type: ignore[union-attr]

            worker = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env={**os.environ, **env},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                assert api.arrived.wait(WAIT_S), "the worker never sent the message"
            finally:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(WAIT_S)
            killed_at = utcnow()
            api.release.set()  # WeChat answers, to nobody, and the resident has the message
            api.wait_for_message("resident-1", timeout=WAIT_S)

            with local.sessions() as s:
                claimed = [s.get_one(OutboxJob, i) for i in ids]
            assert all(j.status == JobStatus.PENDING and j.attempts == 1 for j in claimed)
            # free again within the short lease, not after minutes
            assert all(killed_at < j.locked_until <= killed_at + timedelta(seconds=LEASE_S) for j in claimed)
            assert claimed[0].sending_at is not None and claimed[1].sending_at is None

            other = Worker(local, job_handlers())
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline and not finished(local, ids):
                other.run_until_idle()
                time.sleep(0.2)

            with local.sessions() as s:
                text_done, photo_done = (s.get_one(OutboxJob, i) for i in ids)
                stored = s.get_one(Photo, pending.id)
            assert photo_done.status == JobStatus.DONE and stored.status == PhotoStatus.STORED
            assert text_done.status == JobStatus.PARKED and text_done.last_error.startswith("发送中断, 可能已送达")
            assert api.messages_to("resident-1") == [TEXT]  # once: not resent
        finally:
            local.engine.dispose()


def finished(service: Service, ids: tuple[int, ...]) -> bool:
    with service.sessions() as s:
        statuses = s.scalars(select(OutboxJob.status).where(OutboxJob.id.in_(ids))).all()
    return all(status != JobStatus.PENDING for status in statuses)
