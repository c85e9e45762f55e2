"""notify.text and notify.photo: a message or a stored photo pushed to a chat user (customer-service
message / WeCom app message)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from wechatpy.exceptions import WeChatClientException

from bot import outbound, photostore
from bot.worker import JobContext, PermanentJobError
from models import Photo, PhotoStatus

# WeChat error codes that no retry can fix: the user unfollowed, blocked us, or the 48-hour
# customer-service window is over; the user id is invalid.
HOPELESS = {40003, 43004, 45015, 45047, 46004, 60111, 81013}


def send_text(ctx: JobContext, payload: dict[str, Any]) -> None:
    with _refusals_are_final():
        outbound.send_text(ctx.service.config, payload["channel"], payload["to"], payload["text"])


class PhotoNotReady(Exception):
    """The photo is still being downloaded; the job is tried again later."""


def send_photo(ctx: JobContext, payload: dict[str, Any]) -> None:
    # A short session of its own: the upload below must not hold the job's transaction (on SQLite
    # the write lock) open.
    with ctx.service.sessions() as session:
        photo = session.get(Photo, payload["photo_id"])
        status, path = (photo.status, photo.storage_path) if photo else (None, None)
    if status in (None, PhotoStatus.REJECTED):
        return  # nothing worth showing
    if status == PhotoStatus.PENDING or not path:
        raise PhotoNotReady(f"photo {payload['photo_id']} is not stored yet")
    config = ctx.service.config
    data = photostore.read(config.photo_dir, path)
    with _refusals_are_final():
        try:
            outbound.send_image(config, payload["channel"], payload["to"], data, filename=path.rsplit("/", 1)[-1])
        except ValueError as exc:  # too large for WeChat
            raise PermanentJobError(str(exc)) from exc


@contextmanager
def _refusals_are_final() -> Iterator[None]:
    try:
        yield
    except WeChatClientException as exc:
        if exc.errcode in HOPELESS:
            raise PermanentJobError(f"WeChat refused the message: {exc.errcode} {exc.errmsg}") from exc
        raise
