"""Caching of the read API's answers: ETag, Last-Modified and Cache-Control on every answer (304 to
a client that sends back the ETag), and the large listing built at most once per change.

A 1,000-case listing costs tens of milliseconds of CPU to build, in the process that answers the
webhooks. A listing is kept with a stamp of the data it was built from (count and latest change of
the cases, latest audit event); a request whose stamp matches gets the kept body, and builds run
one at a time. Changes the stamp does not see (a photo's check verdict; photos are not in it, as
residents' draft photos arrive many times a second and would void the listing each time) show
within CHENGGUAN_OPEN311_CACHE_SECONDS, the time clients are told they may keep an answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime

from cachetools import TTLCache
from flask import Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.http import generate_etag

from models.audit import AuditEvent
from models.cases import Case

KEPT_LISTINGS = 32


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str
    last_modified: datetime | None = None
    etag: str = field(init=False)

    def __post_init__(self) -> None:
        # Hashed once when built, not on every answer served from the cache (a 1,000-case body is ~500 KB).
        object.__setattr__(self, "etag", generate_etag(self.body))


# Built once: building a statement costs more than running this one.
STAMP = select(
    select(func.count(Case.id)).scalar_subquery(), select(func.max(Case.updated_at)).scalar_subquery(),
    select(func.max(AuditEvent.id)).scalar_subquery(),
)


def data_stamp(session: Session) -> tuple[object, ...]:
    """Changes whenever a case is added or changed or gains an audit event."""
    return tuple(session.execute(STAMP).one())


class ListingCache:
    def __init__(self, seconds: int) -> None:
        self._kept: TTLCache[Hashable, tuple[tuple[object, ...], Rendered]] = TTLCache(KEPT_LISTINGS, seconds)
        self._guard = threading.Lock()     # TTLCache is not thread-safe
        self._building = threading.Lock()  # one build at a time: concurrent misses wait and reuse it

    def get(self, key: Hashable, stamp: tuple[object, ...], build: Callable[[], Rendered]) -> Rendered:
        if (found := self._lookup(key, stamp)) is not None:
            return found
        with self._building:
            if (found := self._lookup(key, stamp)) is not None:
                return found
            rendered = build()
            with self._guard:
                self._kept[key] = (stamp, rendered)
            return rendered

    def _lookup(self, key: Hashable, stamp: tuple[object, ...]) -> Rendered | None:
        with self._guard:
            kept = self._kept.get(key)
        return kept[1] if kept is not None and kept[0] == stamp else None


def cacheable(rendered: Rendered, request: Request, max_age: int, *, shared: bool = True) -> Response:
    """The answer with its validators, or 304 Not Modified when the client's copy is current.
    `shared=False` (an answer to an api key) keeps it out of shared caches: `private`, varying on the key header."""
    response = Response(rendered.body, content_type=rendered.content_type)
    if shared:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
        response.vary.add("X-Api-Key")
    response.cache_control.max_age = max_age
    if rendered.last_modified is not None:
        response.last_modified = rendered.last_modified
    response.set_etag(rendered.etag)
    return response.make_conditional(request)
