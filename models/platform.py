"""The city platform, both ways: its service list and our category mapping, what we delivered to it,
and the API keys of systems that file cases with our own GeoReport v2 server.

- PlatformService: the platform's services.json, refreshed by `chengguan platform sync-services`.
- ServiceMapping: our category key (E0102) -> the platform's service_code. Data, edited by
  `chengguan platform map`; filled automatically on sync where names or codes agree.
- PlatformDelivery: one row per case and uplink target: the platform's service_request_id (or its
  token until that resolves) and the last status the platform reported for it.
- PlatformCapabilities: what the platform behind one uplink target supports (discovered by
  `chengguan platform sync-services`, learned from its answers, or set by hand) and its health.
- ApiKey / Open311Submission: keys for our server (only the SHA-256 is stored), and each request or
  update filed with one, unique per (key, kind, external id) so a client's retry never acts twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, intpk, str200, utcnow

TARGET_OPEN311 = "open311"
TARGET_WEBHOOK = "webhook"


class PlatformService(Base):
    __tablename__ = "platform_services"

    id: Mapped[intpk]
    service_code: Mapped[str] = mapped_column(String(64), unique=True)
    service_name: Mapped[str200] = mapped_column(default="")
    group: Mapped[str200] = mapped_column(default="")
    type: Mapped[str] = mapped_column(String(20), default="realtime")  # realtime | batch | blackbox
    keywords: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false: gone from services.json
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceMapping(Base):
    __tablename__ = "platform_service_map"

    id: Mapped[intpk]
    category_code: Mapped[str] = mapped_column(String(8), unique=True)
    service_code: Mapped[str] = mapped_column(String(64))
    manual: Mapped[bool] = mapped_column(Boolean, default=False)  # set by a person; sync never overwrites
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PlatformDelivery(Base):
    __tablename__ = "platform_deliveries"
    __table_args__ = (UniqueConstraint("case_id", "target"),)

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    target: Mapped[str] = mapped_column(String(20))
    service_request_id: Mapped[str | None] = mapped_column(String(64), index=True)
    token: Mapped[str | None] = mapped_column(String(64))
    service_code: Mapped[str | None] = mapped_column(String(64))
    platform_status: Mapped[str | None] = mapped_column(String(20))  # open | closed, as last polled
    status_notes: Mapped[str] = mapped_column(Text, default="")
    platform_updated_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
    delivered_at: Mapped[datetime | None]
    polled_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<PlatformDelivery case={self.case_id} {self.target} id={self.service_request_id}>"


class PlatformCapabilities(Base):
    """One row per uplink target. "yes" / "no" / "unknown" for optional parts; unknown means try and learn."""

    __tablename__ = "platform_capabilities"

    id: Mapped[intpk]
    target: Mapped[str] = mapped_column(String(20), unique=True)
    base_url: Mapped[str] = mapped_column(String(500), default="")
    discovery: Mapped[bool] = mapped_column(Boolean, default=False)  # a GeoReport discovery document was found
    updates: Mapped[str] = mapped_column(String(10), default="unknown")  # servicerequestupdates (FixMyStreet)
    tokens: Mapped[str] = mapped_column(String(10), default="unknown")  # GET tokens/<token>
    address_field: Mapped[str] = mapped_column(String(20), default="address_string")  # or "address"
    media: Mapped[str] = mapped_column(String(10), default="url")  # media_url, or "upload" (multipart media)
    page_size: Mapped[int | None]  # most requests one GET requests.json answers
    manual: Mapped[str] = mapped_column(String(200), default="")  # fields set by hand, comma-separated
    checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]  # the platform last answered a call as asked
    last_failure_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class ApiKey(Base):
    __tablename__ = "open311_api_keys"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    batch: Mapped[bool] = mapped_column(Boolean, default=False)  # answer POSTs with a token
    # comma-separated; "private": reads show resident text, exact places and original photos (else redacted)
    scopes: Mapped[str] = mapped_column(String(100), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_at]
    last_used_at: Mapped[datetime | None]


class Open311Submission(Base):
    __tablename__ = "open311_submissions"
    __table_args__ = (UniqueConstraint("api_key_id", "kind", "external_id"),)

    id: Mapped[intpk]
    api_key_id: Mapped[int] = mapped_column(ForeignKey("open311_api_keys.id"))
    kind: Mapped[str] = mapped_column(String(10), default="request")  # request | update
    external_id: Mapped[str | None] = mapped_column(String(100))  # attribute[external_id] / update_id
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[created_at]
