"""access tokens shared by every process (one per WeChat/WeCom app)

Revision ID: 0007_api_tokens
Revises: 0006_merge
Create Date: 2026-11-29 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007_api_tokens"
down_revision: str | None = "0006_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("app_key", sa.String(length=120), nullable=False),
        sa.Column("token", sa.String(length=600), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fetches", sa.Integer(), nullable=False),
        sa.Column("refreshing_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("app_key", name=op.f("pk_api_tokens")),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
