"""Photos arriving in a chat: recorded at once, downloaded and checked by the worker."""

from __future__ import annotations

from sqlalchemy import insert

from bot.prepared import Prepared
from handlers.context import Context
from models import Photo, PhotoRole, PhotoStatus, utcnow


def receive_photo(
    ctx: Context, role: PhotoRole, case_id: int | None = None, job: str = "photo.fetch", held: dict[str, str] | None = None,
) -> int:
    """Record the photo as pending and queue its download (temporary media expire after 3 days).

    Problem photos are only fetched ("photo.fetch"); rectification photos are fetched and checked
    against the case's problem photo ("rectify.check"). `held`: a photo from an earlier message of
    this sender (see held_photo), taken now that we know which case it belongs to.
    """
    m = ctx.message
    pic_url, media_id = (held["pic_url"], held["media_id"]) if held else (m.pic_url, m.media_id)
    # Core, for the id without flushing the draft's pending changes (they go in one UPDATE at the end).
    photo_id: int = NEW_PHOTO.scalar(ctx.connection, {
        "role": role, "case_id": case_id, "uploaded_by": ctx.user_id, "status": PhotoStatus.PENDING,
        "created_at": utcnow()})
    payload = {"photo_id": photo_id, "channel": m.channel, "sender": m.sender, "pic_url": pic_url, "media_id": media_id}
    ctx.enqueue(job, payload)  # no idempotency key: a photo row this new has no job yet (saves a query)
    return photo_id


def held_photo(ctx: Context) -> dict[str, str]:
    """This image message's media, to keep in the conversation until the sender says what it is for."""
    return {"pic_url": ctx.message.pic_url, "media_id": ctx.message.media_id}


# On the driver's cursor (bot.prepared): every column given, as a Prepared insert applies no defaults.
NEW_PHOTO = Prepared(insert(Photo.__table__).returning(Photo.__table__.c.id),
                     ("role", "case_id", "uploaded_by", "status", "created_at"))
