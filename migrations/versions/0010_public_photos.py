"""what leaves the service: redacted photo copies, stable photo links, api key scopes

Revision ID: 0010_public_photos
Revises: 0009_notices
Create Date: 2026-11-30 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010_public_photos"
down_revision: str | None = "0009_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "photo_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("storage_path", sa.String(length=300), nullable=True),
        sa.Column("faces", sa.Integer(), nullable=False),
        sa.Column("plates", sa.Integer(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], name=op.f("fk_photo_redactions_photo_id_photos")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_redactions")),
        sa.UniqueConstraint("photo_id", name=op.f("uq_photo_redactions_photo_id")),
    )
    op.create_table(
        "photo_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], name=op.f("fk_photo_links_photo_id_photos")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_links")),
        sa.UniqueConstraint("photo_id", "audience", name=op.f("uq_photo_links_photo_id_audience")),
        sa.UniqueConstraint("token", name=op.f("uq_photo_links_token")),
    )
    op.create_index(op.f("ix_photo_links_photo_id"), "photo_links", ["photo_id"], unique=False)
    with op.batch_alter_table("open311_api_keys") as batch:
        batch.add_column(sa.Column("scopes", sa.String(length=100), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("open311_api_keys") as batch:
        batch.drop_column("scopes")
    op.drop_index(op.f("ix_photo_links_photo_id"), table_name="photo_links")
    op.drop_table("photo_links")
    op.drop_table("photo_redactions")
