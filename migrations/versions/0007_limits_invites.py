"""rate counters (Open311 key limits, 绑定 attempts); invite codes stored hashed

Revision ID: 0007_limits_invites
Revises: 0006_merge
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from models.invites import hash_code

revision: str = "0007_limits_invites"
down_revision: str | None = "0006_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_rate_counters")),
    )
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_counters_expires_at"), ["expires_at"], unique=False)

    # Codes already issued keep working: each is replaced by its hash, and the plain column goes.
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for row_id, code in connection.execute(sa.text("SELECT id, code FROM invite_codes")).all():
        connection.execute(sa.text("UPDATE invite_codes SET code_hash = :h WHERE id = :i"),
                           {"h": hash_code(code), "i": row_id})
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invite_codes_code", type_="unique")
        batch_op.drop_column("code")
        batch_op.alter_column("code_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_invite_codes_code_hash"), ["code_hash"])


def downgrade() -> None:
    # Plain codes cannot be recovered: unused ones are voided (an admin issues new ones).
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=12), nullable=True))
    op.execute("UPDATE invite_codes SET code = 'VOID' || id, used_at = COALESCE(used_at, created_at)")
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invite_codes_code_hash", type_="unique")
        batch_op.drop_column("code_hash")
        batch_op.alter_column("code", existing_type=sa.String(length=12), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_invite_codes_code"), ["code"])
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counters_expires_at"))
    op.drop_table("rate_counters")
