"""open311: platform service list and mapping, deliveries, API keys and submissions of our server

Revision ID: 0003_open311
Revises: 0001
Create Date: 2026-11-22 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0003_open311"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, models.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "open311_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("created_at"),
        _when("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_api_keys")),
        sa.UniqueConstraint("key_sha256", name=op.f("uq_open311_api_keys_key_sha256")),
        sa.UniqueConstraint("name", name=op.f("uq_open311_api_keys_name")),
    )
    op.create_table(
        "platform_service_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_service_map")),
        sa.UniqueConstraint("category_code", name=op.f("uq_platform_service_map_category_code")),
    )
    op.create_table(
        "platform_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("group", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("synced_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_services")),
        sa.UniqueConstraint("service_code", name=op.f("uq_platform_services_service_code")),
    )
    op.create_table(
        "open311_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["open311_api_keys.id"], name=op.f("fk_open311_submissions_api_key_id_open311_api_keys")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_open311_submissions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_submissions")),
        sa.UniqueConstraint(
            "api_key_id", "kind", "external_id", name=op.f("uq_open311_submissions_api_key_id_kind_external_id")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_open311_submissions_token")),
    )
    with op.batch_alter_table("open311_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_submissions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "platform_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("service_request_id", sa.String(length=64), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("service_code", sa.String(length=64), nullable=True),
        sa.Column("platform_status", sa.String(length=20), nullable=True),
        sa.Column("status_notes", sa.Text(), nullable=False),
        _when("platform_updated_at", nullable=True),
        _when("created_at"),
        _when("delivered_at", nullable=True),
        _when("polled_at", nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_platform_deliveries_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_deliveries")),
        sa.UniqueConstraint("case_id", "target", name=op.f("uq_platform_deliveries_case_id_target")),
    )
    with op.batch_alter_table("platform_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_platform_deliveries_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_platform_deliveries_service_request_id"), ["service_request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("platform_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_deliveries_service_request_id"))
        batch_op.drop_index(batch_op.f("ix_platform_deliveries_case_id"))
    op.drop_table("platform_deliveries")
    with op.batch_alter_table("open311_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_submissions_case_id"))
    op.drop_table("open311_submissions")
    op.drop_table("platform_services")
    op.drop_table("platform_service_map")
    op.drop_table("open311_api_keys")
