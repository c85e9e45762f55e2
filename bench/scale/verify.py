"""After a run: wait for the workers to finish, then check from the database, the bucket and the WeChat
stand-in that every message was answered once and every photo fetched, fingerprinted and stored once."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.scale.infra import bucket_keys
from bench.scale.traffic import TOO_MANY_PHOTOS, Answers
from bot.simulator.api import FakeWeChatAPI
from models import InboxMessage, JobStatus, OutboxJob, Photo
from models.photo_index import PhotoHash
from models.photos import PhotoFeatures

PHOTO_JOB = "photo.fetch"
PUSH_KINDS = ("notify.text",)


@dataclass
class Check:
    drained_s: float
    messages: int
    inbox: int
    inbox_answered: int
    passive_replies: int
    images: int
    images_refused: int
    photos: Counter[str]
    with_features: int
    duplicate_hashes: int
    photos_without_hashes: int
    fetch_jobs: Counter[str]
    fetch_attempts: Counter[int]
    in_bucket: int
    missing_in_bucket: int
    objects: int
    pushes_done: int
    pushes_received: int

    @property
    def ok(self) -> bool:
        stored = self.photos.get("stored", 0)
        return (self.inbox == self.messages == self.inbox_answered == self.passive_replies
                and sum(self.photos.values()) == self.images - self.images_refused == stored == self.with_features
                and self.duplicate_hashes == 0 and self.photos_without_hashes == 0
                and self.fetch_jobs == Counter({"done": stored}) and set(self.fetch_attempts) == {1}
                and self.missing_in_bucket == 0 and self.pushes_done == self.pushes_received)

    def summary(self) -> str:
        return (f"{self.messages} messages sent, {self.inbox} in the inbox (each once), {self.inbox_answered} with "
                f"their reply kept, {self.passive_replies} passive replies received; {self.images} images "
                f"({self.images_refused} answered {TOO_MANY_PHOTOS}, not kept), photos {dict(self.photos)}, "
                f"{self.with_features} with features, {self.duplicate_hashes} duplicate "
                f"index rows, {self.photos_without_hashes} stored photos without index rows; photo.fetch jobs "
                f"{dict(self.fetch_jobs)}, attempts {dict(sorted(self.fetch_attempts.items()))}; "
                f"their {self.in_bucket + self.missing_in_bucket} distinct files: {self.in_bucket} in the bucket, "
                f"{self.missing_in_bucket} missing ({self.objects} objects in all); {self.pushes_done} pushes done, "
                f"{self.pushes_received} received by the stand-in; "
                f"outbox drained {self.drained_s:.0f} s after the load")


def wait_drained(database_url: str, timeout: float) -> float:
    engine = create_engine(database_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with Session(engine) as s:
                if not s.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.status == JobStatus.PENDING)):
                    break
            time.sleep(1)
    finally:
        engine.dispose()
    return time.monotonic() - started


def check(database_url: str, endpoint: str, bucket: str, api: FakeWeChatAPI, answers: Answers,
          drained_s: float) -> Check:
    engine = create_engine(database_url)
    try:
        with Session(engine) as s:
            paths = set(s.scalars(select(Photo.storage_path).where(Photo.storage_path.is_not(None))))
            keys = bucket_keys(endpoint, bucket)
            present = {p for p in paths if any(k.endswith(p) for k in keys)}
            return Check(
                drained_s=drained_s,
                messages=sum(answers.sent.values()),
                inbox=s.scalar(select(func.count(func.distinct(InboxMessage.dedupe_key)))) or 0,
                inbox_answered=s.scalar(select(func.count()).where(InboxMessage.reply.is_not(None))) or 0,
                passive_replies=sum(answers.replied.values()),
                images=answers.sent["image"],
                images_refused=answers.photos_refused,
                photos=Counter({str(status): n for status, n in
                                s.execute(select(Photo.status, func.count()).group_by(Photo.status))}),
                with_features=s.scalar(select(func.count()).select_from(PhotoFeatures)) or 0,
                duplicate_hashes=len(s.execute(select(PhotoHash.photo_id, PhotoHash.phash)
                                               .group_by(PhotoHash.photo_id, PhotoHash.phash)
                                               .having(func.count() > 1)).all()),
                photos_without_hashes=s.scalar(select(func.count()).select_from(Photo).where(
                    Photo.storage_path.is_not(None), ~Photo.id.in_(select(PhotoHash.photo_id)))) or 0,
                fetch_jobs=Counter({str(status): n for status, n in s.execute(
                    select(OutboxJob.status, func.count()).where(OutboxJob.kind == PHOTO_JOB).group_by(OutboxJob.status))}),
                fetch_attempts=Counter(dict(s.execute(select(OutboxJob.attempts, func.count())
                                                      .where(OutboxJob.kind == PHOTO_JOB).group_by(OutboxJob.attempts)).all())),
                in_bucket=len(present), missing_in_bucket=len(paths - present), objects=len(keys),
                pushes_done=s.scalar(select(func.count()).select_from(OutboxJob).where(
                    OutboxJob.kind.in_(PUSH_KINDS), OutboxJob.status == JobStatus.DONE)) or 0,
                pushes_received=len(api.pushed),  # a stand-in of this topology's own
            )
    finally:
        engine.dispose()
