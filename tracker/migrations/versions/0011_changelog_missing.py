"""jira issue: changelog histories Jira did not send, so sprint reports can say so

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # issues synced before this knew of no gap: 0, as a new sync of them would record
    with op.batch_alter_table("jira_issue", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("changelog_missing", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("jira_issue", schema=None) as batch_op:
        batch_op.drop_column("changelog_missing")
