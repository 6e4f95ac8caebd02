"""sign-in events

Who signed in and out, and which identities were refused: users by id, refused identities by the
domain of their address only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 02:23:23.666516
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.models.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email_domain", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("token_issued_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_in_event_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_event_user_id"))
        batch_op.drop_index(batch_op.f("ix_sign_in_event_at"))

    op.drop_table("sign_in_event")
