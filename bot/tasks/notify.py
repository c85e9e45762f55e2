"""notify.text and notify.photo: a message or a stored photo pushed to a chat user (customer-service
message / WeCom app message).

Neither API can tell a repeated message from a new one, so each send is marked in the job before the
call (JobContext.mark_sending): after a crash or a timeout inside the call nobody knows whether it
arrived, and the job is parked for a person to decide instead of being sent again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException

from bot import outbound, photostore
from bot.tasks.wecom_pace import pace
from bot.tasks.photos import waits_for_store
from bot.worker import JobContext, PermanentJobError, RetryLater
from models import Photo, PhotoStatus
from models.users import CHANNEL_WORK

# WeChat error codes that no retry can fix: the user unfollowed, blocked us, or the 48-hour
# customer-service window is over; the user id is invalid.
HOPELESS = {40003, 43004, 45015, 45047, 46004, 60111, 81013}
PHOTO_WAIT = timedelta(seconds=5)
TIMED_OUT = "发送超时, 可能已送达。确认对方未收到后运行 chengguan jobs retry {job_id} 重发"


def send_text(ctx: JobContext, payload: dict[str, Any]) -> None:
    _pace_members(ctx, payload)
    ctx.mark_sending()
    with refusals_are_final(ctx):
        outbound.send_text(ctx.service.config, payload["channel"], payload["to"], payload["text"])


@waits_for_store
def send_photo(ctx: JobContext, payload: dict[str, Any]) -> None:
    # A short session of its own: the upload below must not hold the job's transaction (on SQLite
    # the write lock) open.
    with ctx.service.sessions() as session:
        photo = session.get(Photo, payload["photo_id"])
        status, path = (photo.status, photo.storage_path) if photo else (None, None)
    if status in (None, PhotoStatus.REJECTED, PhotoStatus.ERASED):
        return  # nothing worth showing, or deleted for privacy
    if status == PhotoStatus.PENDING or not path:
        # With several workers the dispatch that queued this can run before the photo's own job:
        # wait for it (that job ends with the photo stored or rejected).
        raise RetryLater(f"photo {payload['photo_id']} is not stored yet", PHOTO_WAIT)
    config = ctx.service.config
    data = photostore.store_for(config).get(path)
    _pace_members(ctx, payload)
    ctx.mark_sending()
    with refusals_are_final(ctx):
        try:
            outbound.send_image(config, payload["channel"], payload["to"], data, filename=path.rsplit("/", 1)[-1])
        except ValueError as exc:  # too large for WeChat
            raise PermanentJobError(str(exc)) from exc


def _pace_members(ctx: JobContext, payload: dict[str, Any]) -> None:
    """WeCom drops app messages over its per-member limits: wait for room instead (bot.tasks.wecom_pace)."""
    if payload["channel"] == CHANNEL_WORK:
        pace(ctx, [payload["to"]])


@contextmanager
def refusals_are_final(ctx: JobContext) -> Iterator[None]:
    try:
        yield
    except requests.ReadTimeout as exc:  # sent, perhaps: the answer did not come
        raise PermanentJobError(TIMED_OUT.format(job_id=ctx.job_id)) from exc
    except WeChatClientException as exc:
        if exc.errcode in HOPELESS:
            raise PermanentJobError(f"WeChat refused the message: {exc.errcode} {exc.errmsg}") from exc
        raise
