"""batches take an Idempotency-Key

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_key", sa.String(length=36), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            "uq_batches_idempotency", ["owner_key", "idempotency_key"]
        )
    op.execute("UPDATE batches SET owner_key = owner_id WHERE owner_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint("uq_batches_idempotency", type_="unique")
        batch_op.drop_column("request_hash")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("owner_key")
