"""merge the branches of this session: calendar, callback nonces, api tokens, outbox sending mark, limits and hashed invites, worker heartbeat, console logins

Revision ID: 0008_merge
Revises: 0007_calendar, 0007_callback_nonces, 0007_api_tokens, 0007_outbox_sending,
         0007_limits_invites, 0007_heartbeat, 0007_console
Create Date: 2026-11-29 23:00:00
"""

from collections.abc import Sequence

revision: str = "0008_merge"
down_revision: tuple[str, ...] = ("0007_calendar", "0007_callback_nonces", "0007_api_tokens", "0007_outbox_sending", "0007_limits_invites", "0007_heartbeat", "0007_console")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
