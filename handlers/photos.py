"""Photos arriving in a chat: recorded at once, downloaded and checked by the worker."""

from __future__ import annotations

from handlers.context import Context
from models import Photo, PhotoRole


def receive_photo(ctx: Context, role: PhotoRole) -> Photo:
    """Record the photo as pending and queue its download (temporary media expire after 3 days)."""
    m = ctx.message
    photo = Photo(role=role, uploaded_by=ctx.user.id if ctx.user else None)
    ctx.session.add(photo)
    ctx.session.flush()
    ctx.enqueue(
        "photo.fetch",
        {"photo_id": photo.id, "channel": m.channel, "sender": m.sender, "pic_url": m.pic_url, "media_id": m.media_id},
        key=f"photo.fetch:{photo.id}",
    )
    return photo
