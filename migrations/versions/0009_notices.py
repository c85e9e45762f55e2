"""notices to residents: the 48-hour customer-service window and subscription consents per openid

Revision ID: 0009_notices
Revises: 0008_merge
Create Date: 2026-11-29 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0009_notices"
down_revision: str | None = "0008_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resident_reach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=128), nullable=False),
        sa.Column("last_inbound_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_since_inbound", sa.Integer(), nullable=False),
        sa.Column("last_event_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_since_event", sa.Integer(), nullable=False),
        sa.Column("consents", sa.Integer(), nullable=False),
        sa.Column("consent_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_reach")),
        sa.UniqueConstraint("openid", name=op.f("uq_resident_reach_openid")),
    )


def downgrade() -> None:
    op.drop_table("resident_reach")
