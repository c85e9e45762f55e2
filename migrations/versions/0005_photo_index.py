"""photo hash index

Revision ID: 0005_photo_index
Revises: 0004_staff
Create Date: 2026-11-22 04:52:11.668921
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import models.base


revision: str = '0005_photo_index'
down_revision: str | None = '0004_staff'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('photo_hashes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('phash', sa.BigInteger(), nullable=False),
    sa.Column('c0', sa.Integer(), nullable=False),
    sa.Column('c1', sa.Integer(), nullable=False),
    sa.Column('c2', sa.Integer(), nullable=False),
    sa.Column('c3', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_photo_hashes_photo_id_photos')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_hashes'))
    )
    with op.batch_alter_table('photo_hashes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_hashes_c0'), ['c0'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_hashes_c1'), ['c1'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_hashes_c2'), ['c2'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_hashes_c3'), ['c3'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_hashes_photo_id'), ['photo_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('photo_hashes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_hashes_photo_id'))
        batch_op.drop_index(batch_op.f('ix_photo_hashes_c3'))
        batch_op.drop_index(batch_op.f('ix_photo_hashes_c2'))
        batch_op.drop_index(batch_op.f('ix_photo_hashes_c1'))
        batch_op.drop_index(batch_op.f('ix_photo_hashes_c0'))

    op.drop_table('photo_hashes')
