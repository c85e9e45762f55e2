"""cases: indexes for the console queue's 返工≥2次, category and source filters (counts and page ids from the index)

(category_code, status, deadline, id) replaces the index on category_code alone: it answers the same lookups.

Revision ID: 0013_queue_filters
Revises: 0012_merge
Create Date: 2026-11-30 02:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_queue_filters"
down_revision: str | None = "0012_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_status_rework", "cases", ["status", "rework_count", "deadline", "id"], unique=False)
    op.create_index("ix_cases_category_status", "cases", ["category_code", "status", "deadline", "id"], unique=False)
    op.create_index("ix_cases_source_status", "cases", ["source", "status", "deadline", "id"], unique=False)
    op.drop_index("ix_cases_category_code", table_name="cases")


def downgrade() -> None:
    op.create_index("ix_cases_category_code", "cases", ["category_code"], unique=False)
    op.drop_index("ix_cases_source_status", table_name="cases")
    op.drop_index("ix_cases_category_status", table_name="cases")
    op.drop_index("ix_cases_status_rework", table_name="cases")
