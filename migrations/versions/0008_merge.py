"""merge the calendar and callback-nonce branches

Revision ID: 0008_merge
Revises: 0007_calendar, 0007_callback_nonces
Create Date: 2026-11-29 23:00:00
"""

from collections.abc import Sequence

revision: str = "0008_merge"
down_revision: tuple[str, ...] = ("0007_calendar", "0007_callback_nonces")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
