"""staff units invites

Revision ID: 0004_staff
Revises: 0002_chat, 0003_open311
Create Date: 2026-11-22 04:50:39.668030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import models.base


revision: str = '0004_staff'
down_revision: tuple[str, str] = ('0002_chat', '0003_open311')  # merges the two branches
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_units_street_id_streets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    op.create_table('dispatch_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=True),
    sa.Column('category_prefix', sa.String(length=8), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_dispatch_rules_street_id_streets')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_dispatch_rules_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_rules'))
    )
    with op.batch_alter_table('dispatch_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_rules_street_id'), ['street_id'], unique=False)

    op.create_table('invite_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invite_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_invite_codes_code'))
    )
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_unit_id_units'), 'units', ['unit_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('road', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_users_unit_id_units'), 'units', ['unit_id'], ['id'])

def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('road')
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_unit_id'))
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_codes_user_id'))

    op.drop_table('invite_codes')
    with op.batch_alter_table('dispatch_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_rules_street_id'))

    op.drop_table('dispatch_rules')
    op.drop_table('units')
