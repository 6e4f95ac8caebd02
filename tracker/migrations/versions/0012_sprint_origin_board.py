"""jira sprint: the board it was created on (originBoardId), for its report to say whose it is

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # unknown until the next sync or import reads the sprint again
    with op.batch_alter_table("jira_sprint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_board_jira_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jira_sprint", schema=None) as batch_op:
        batch_op.drop_column("origin_board_jira_id")
