"""merge the branches of this session: staff cards, retention, case links and the queue index, stored photo features, public photo copies and links, platform capabilities and grid cells

Revision ID: 0012_merge
Revises: 0010_cards, 0010_retention, 0011_case_queue_index, 0010_photo_features, 0010_public_photos, 0010_grids
Create Date: 2026-11-30 02:00:00
"""

from collections.abc import Sequence

revision: str = "0012_merge"
down_revision: tuple[str, ...] = ("0010_cards", "0010_retention", "0011_case_queue_index", "0010_photo_features", "0010_public_photos", "0010_grids")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
