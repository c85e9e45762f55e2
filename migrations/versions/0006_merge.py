"""merge the groups and photo-index branches

Revision ID: 0006_merge
Revises: 0005_groups, 0005_photo_index
"""

from collections.abc import Sequence

revision: str = "0006_merge"
down_revision: tuple[str, str] = ("0005_groups", "0005_photo_index")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # both branches are independent; this only joins them into one head


def downgrade() -> None:
    pass
