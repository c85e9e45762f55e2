"""group chats and the sent-digest record (daily digests, monthly bulletin)

Revision ID: 0005_groups
Revises: 0004_staff
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0005_groups"
down_revision: str | None = "0004_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("district", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("recent_sends", sa.JSON(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_group_chats_street_id_streets")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_group_chats_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_chats")),
        sa.UniqueConstraint("target", name=op.f("uq_group_chats_target")),
    )
    with op.batch_alter_table("group_chats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_chats_street_id"), ["street_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_chats_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "sent_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("queued_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["group_chats.id"], name=op.f("fk_sent_digests_group_id_group_chats")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_digests")),
        sa.UniqueConstraint("group_id", "what", "period", name=op.f("uq_sent_digests_group_id_what_period")),
    )


def downgrade() -> None:
    op.drop_table("sent_digests")
    with op.batch_alter_table("group_chats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_chats_unit_id"))
        batch_op.drop_index(batch_op.f("ix_group_chats_street_id"))
    op.drop_table("group_chats")
