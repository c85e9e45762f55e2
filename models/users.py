"""People and the chat identities they write from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, intpk, str200, str40, str_enum
from models.enums import Role

CHANNEL_MP = "mp"      # WeChat Official Account (residents)
CHANNEL_WORK = "work"  # WeCom app (staff)


class User(Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(default="")
    role: Mapped[Role] = mapped_column(str_enum(Role))
    mobile: Mapped[str40 | None]
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    road: Mapped[str200] = mapped_column(default="")  # the road a road chief (路长) walks
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    # Web console sign-in (console/): a login name and an argon2 hash; both empty for chat-only staff.
    login: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Set when a resident had their information deleted (「删除我的信息」) or a staff member left: the row
    # stays as the pseudonym their cases and audit events point at, with no identity left in it.
    forgotten_at: Mapped[datetime | None]

    identities: Mapped[list[Identity]] = relationship(back_populates="user")

    def has_role(self, *roles: Role) -> bool:
        return self.active and self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.name!r}>"


class Identity(Base):
    """An OpenID on the Official Account or a WeCom UserId, bound to one user."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(back_populates="identities")
