"""chat photos and feedback

Revision ID: 0002_chat
Revises: 0001
Create Date: 2026-11-22 04:28:40.161448
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import models.base


revision: str = '0002_chat'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback_asked_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('satisfaction', sa.Enum('satisfied', 'mostly', 'unsatisfied', name='satisfaction', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('rated_at', models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('pending', 'stored', 'rejected', name='photostatus', native_enum=False, length=20), nullable=False, server_default='stored'))  # rows from before this migration had their file
        batch_op.add_column(sa.Column('error', sa.String(length=200), nullable=True))
        batch_op.alter_column('storage_path',
               existing_type=sa.VARCHAR(length=300),
               nullable=True)
        batch_op.alter_column('sha256',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
        batch_op.alter_column('size',
               existing_type=sa.INTEGER(),
               nullable=True)

def downgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.alter_column('size',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('sha256',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
        batch_op.alter_column('storage_path',
               existing_type=sa.VARCHAR(length=300),
               nullable=False)
        batch_op.drop_column('error')
        batch_op.drop_column('status')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('rated_at')
        batch_op.drop_column('satisfaction')
        batch_op.drop_column('feedback_asked_at')

