"""cases: index (status, deadline, id) for the console's queue tabs and overdue counts

Revision ID: 0011_case_queue_index
Revises: 0010_case_links
Create Date: 2026-11-30 01:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_case_queue_index"
down_revision: str | None = "0010_case_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_status_deadline", "cases", ["status", "deadline", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_status_deadline", table_name="cases")
