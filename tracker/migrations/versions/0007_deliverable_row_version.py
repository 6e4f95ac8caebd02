"""deliverable row version, so two simultaneous status saves cannot both succeed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing rows start at version 1, like new ones; ADD COLUMN needs no table rebuild on SQLite
    with op.batch_alter_table("deliverable", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("row_version", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("deliverable", schema=None) as batch_op:
        batch_op.drop_column("row_version")
