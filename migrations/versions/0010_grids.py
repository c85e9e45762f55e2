"""grid cells get their 社区 (community code and name); a case keeps the grid code and community it lies in

Revision ID: 0010_grids
Revises: 0010_capabilities
Create Date: 2026-11-30 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_grids"
down_revision: str | None = "0010_capabilities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grid_cells", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_code", sa.String(length=12), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("community_name", sa.String(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grid_code", sa.String(length=15), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("community_code", sa.String(length=12), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("community_code")
        batch_op.drop_column("grid_code")
    with op.batch_alter_table("grid_cells", schema=None) as batch_op:
        batch_op.drop_column("community_name")
        batch_op.drop_column("community_code")
