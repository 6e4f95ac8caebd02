"""sync runs record their process, and may be interrupted

A sync killed mid-run (SIGKILL, an out-of-memory kill, a restarted machine) never reached
`finish_run`, so its row stayed "running" forever. Each run now records the host and process id
running it; a later run, `tracker site list` and the Jira sites page mark runs whose process is
gone, or that ran past a timeout, as "interrupted" (11 characters: the outcome column widens).
Runs recorded before this have no process and are judged by the timeout alone.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jira_sync_run", schema=None) as batch_op:
        batch_op.alter_column(
            "outcome",
            existing_type=sa.String(length=10),
            type_=sa.String(length=12),
            existing_nullable=False,
        )
        batch_op.add_column(
            sa.Column("host", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE jira_sync_run SET outcome = 'failed' WHERE outcome = 'interrupted'")
    with op.batch_alter_table("jira_sync_run", schema=None) as batch_op:
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
        batch_op.alter_column(
            "outcome",
            existing_type=sa.String(length=12),
            type_=sa.String(length=10),
            existing_nullable=False,
        )
