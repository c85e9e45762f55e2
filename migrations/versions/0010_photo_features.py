"""photo features: photocheck's keypoints and descriptors stored once per photo

Revision ID: 0010_photo_features
Revises: 0009_notices
Create Date: 2026-11-30 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_photo_features"
down_revision: str | None = "0009_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "photo_features",
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], name=op.f("fk_photo_features_photo_id_photos"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("photo_id", name=op.f("pk_photo_features")),
    )


def downgrade() -> None:
    op.drop_table("photo_features")
