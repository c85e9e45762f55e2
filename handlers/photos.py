"""Photos arriving in a chat: recorded at once, downloaded and checked by the worker."""

from __future__ import annotations

from handlers.context import Context
from models import Photo, PhotoRole


def receive_photo(ctx: Context, role: PhotoRole, case_id: int | None = None, job: str = "photo.fetch") -> Photo:
    """Record the photo as pending and queue its download (temporary media expire after 3 days).

    Problem photos are only fetched ("photo.fetch"); rectification photos are fetched and checked
    against the case's problem photo ("rectify.check").
    """
    m = ctx.message
    photo = Photo(role=role, case_id=case_id, uploaded_by=ctx.user.id if ctx.user else None)
    ctx.session.add(photo)
    ctx.session.flush()
    payload = {"photo_id": photo.id, "channel": m.channel, "sender": m.sender, "pic_url": m.pic_url, "media_id": m.media_id}
    ctx.enqueue(job, payload, key=f"{job}:{photo.id}")
    return photo
