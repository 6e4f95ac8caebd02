"""jira sprint report: each closed sprint's report, worked out when a sync writes its board

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 09:26:08.111773
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import tracker.models.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # empty until the next sync or import of each board works its closed sprints out
    op.create_table(
        "jira_sprint_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column(
            "inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("updated_to", tracker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("computed_at", tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "report",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["board_id"], ["jira_board.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sprint_id"], ["jira_sprint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sprint_id"),
    )
    with op.batch_alter_table("jira_sprint_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jira_sprint_report_board_id"), ["board_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("jira_sprint_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jira_sprint_report_board_id"))

    op.drop_table("jira_sprint_report")
