"""cases: duplicate_of_id (重复: a duplicate points at its original case)

Revision ID: 0010_case_links
Revises: 0009_notices
Create Date: 2026-11-30 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_case_links"
down_revision: str | None = "0009_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_cases_duplicate_of_id_cases"), "cases", ["duplicate_of_id"], ["id"])
        batch.create_index(op.f("ix_cases_duplicate_of_id"), ["duplicate_of_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(op.f("ix_cases_duplicate_of_id"))
        batch.drop_constraint(op.f("fk_cases_duplicate_of_id_cases"), type_="foreignkey")
        batch.drop_column("duplicate_of_id")
