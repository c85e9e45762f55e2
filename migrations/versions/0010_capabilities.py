"""platform capabilities: what each uplink target supports (updates, tokens, address field, media, page size)
and its health (last success, last failure)

Revision ID: 0010_capabilities
Revises: 0009_notices
Create Date: 2026-11-30 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010_capabilities"
down_revision: str | None = "0009_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platform_capabilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("discovery", sa.Boolean(), nullable=False),
        sa.Column("updates", sa.String(length=10), nullable=False),
        sa.Column("tokens", sa.String(length=10), nullable=False),
        sa.Column("address_field", sa.String(length=20), nullable=False),
        sa.Column("media", sa.String(length=10), nullable=False),
        sa.Column("page_size", sa.Integer(), nullable=True),
        sa.Column("manual", sa.String(length=200), nullable=False),
        sa.Column("checked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_capabilities")),
        sa.UniqueConstraint("target", name=op.f("uq_platform_capabilities_target")),
    )


def downgrade() -> None:
    op.drop_table("platform_capabilities")
