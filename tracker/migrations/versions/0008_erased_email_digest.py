"""a digest of an erased person's email, so TRACKER_ADMINS never recreates them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "erased_email_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.create_index(
            batch_op.f("ix_person_erased_email_digest"), ["erased_email_digest"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_erased_email_digest"))
        batch_op.drop_column("erased_email_digest")
