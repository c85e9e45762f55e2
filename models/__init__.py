"""SQLAlchemy 2 models. Import from here; every table is registered on Base.metadata."""

from models.api_tokens import ApiToken
from models.audit import AuditEvent
from models.base import Base, utcnow
from models.calendar_days import CalendarDay
from models.cards import CardStep, SentCard
from models.cases import Case
from models.conversations import Conversation
from models.groups import GroupChat, SentDigest
from models.heartbeat import Heartbeat
from models.enums import CaseSource, CaseStatus, PhotoRole, PhotoStatus, Role, Satisfaction
from models.inbox import InboxMessage
from models.invites import InviteCode
from models.logins import LoginAttempt
from models.lifecycle import IllegalTransition, RoleNotAllowed, TransitionError
from models.nonces import CallbackNonce
from models.numbering import DailyCounter, next_case_number
from models.outbox import JobStatus, OutboxJob
from models.photo_index import PhotoHash
from models.photo_links import PhotoLink, PhotoRedaction
from models.photos import Photo, PhotoFeatures
from models.ratecounters import RateCounter
from models.reach import ResidentReach
from models.platform import (ApiKey, Open311Submission, PlatformCapabilities, PlatformDelivery, PlatformService,
                             ServiceMapping)
from models.streets import GridCell, Street
from models.units import DispatchRule, Unit
from models.users import Identity, User

__all__ = [
    "CardStep", "SentCard", "DispatchRule", "InviteCode", "PhotoLink", "PhotoRedaction", "LoginAttempt", "PhotoHash",
    "RateCounter", "Unit",
    "ApiToken", "CalendarDay", "GroupChat", "Heartbeat", "ResidentReach", "SentDigest",
    "ApiKey", "Open311Submission", "PlatformCapabilities", "PlatformDelivery", "PlatformService", "ServiceMapping",
    "AuditEvent", "Base", "CallbackNonce", "Case", "CaseSource", "CaseStatus", "Conversation", "DailyCounter",
    "GridCell", "IllegalTransition", "Identity", "InboxMessage", "JobStatus", "OutboxJob", "Photo", "PhotoFeatures",
    "PhotoRole", "PhotoStatus", "Role", "Satisfaction", "RoleNotAllowed", "Street", "TransitionError", "User", "next_case_number",
    "utcnow",
]
