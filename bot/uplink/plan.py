"""What one Open311 push job will send, read from the database before any network call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from typing import Any

from bot.uplink.capabilities import UNKNOWN


@dataclass(frozen=True)
class Stored:
    """The case's delivery row as the plan read it: writing it back is skipped when nothing changed."""

    id: int
    request_id: str | None
    token: str | None
    service_code: str | None
    delivered: bool


@dataclass
class Plan:
    """Everything one push needs, read before any network call."""

    case_id: int
    number: str
    action: str
    job_key: str
    request_id: str | None = None
    token: str | None = None
    service_code: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    look_first: bool = False
    since: Any = None
    update: dict[str, str] = field(default_factory=dict)
    address_only: bool = False  # no coordinates: the platform must read the typed address
    tried_address: bool = False  # `address` is sent although the capabilities do not say so (learning)
    upload: tuple[str, bytes] | None = None  # the photo (name, redacted bytes) to send as `media` (the platform takes uploads)
    updates: str = UNKNOWN
    tokens: str = UNKNOWN
    page_size: int | None = None
    last_success: datetime | None = None
    stored: Stored | None = None
