"""WeCom template cards sent to staff: one row per copy, with its ResponseCode for update_template_card

Revision ID: 0010_cards
Revises: 0009_notices
Create Date: 2026-11-30 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010_cards"
down_revision: str | None = "0009_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=128), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Enum("report", "dispatch", "review", name="cardstep", native_enum=False, length=20),
                  nullable=False),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("response_code", sa.String(length=255), nullable=True),
        sa.Column("code_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_sent_cards_case_id_cases")),
        sa.ForeignKeyConstraint(["handled_by"], ["users.id"], name=op.f("fk_sent_cards_handled_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_cards")),
        sa.UniqueConstraint("task_id", "recipient", name=op.f("uq_sent_cards_task_id_recipient")),
    )
    with op.batch_alter_table("sent_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_cards_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sent_cards_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sent_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_cards_task_id"))
        batch_op.drop_index(batch_op.f("ix_sent_cards_case_id"))
    op.drop_table("sent_cards")
