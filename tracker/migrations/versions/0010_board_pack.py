"""board pack: RAG thresholds per programme, highlight notes, published highlight reports

Published reports are append-only, like the audit ledger: triggers here refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL, through 0004's tracker_refuse_change()). A later SQLite batch
migration of highlight_report must create them again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 06:08:28.521784
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.models.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER highlight_report_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON highlight_report FOR EACH STATEMENT EXECUTE FUNCTION tracker_refuse_change()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER highlight_report_no_{event.lower()} BEFORE {event} ON "
            "highlight_report BEGIN SELECT RAISE(ABORT, 'highlight_report is append-only'); END"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER highlight_report_append_only ON highlight_report")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER highlight_report_no_{event}")


def upgrade() -> None:
    op.create_table(
        "highlight_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("published_at", tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("audit_entry_id", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["audit_entry_id"], ["audit_entry.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.ForeignKeyConstraint(["supersedes_id"], ["highlight_report.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("audit_entry_id"),
        sa.UniqueConstraint("supersedes_id"),
    )
    with op.batch_alter_table("highlight_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_highlight_report_programme_id"), ["programme_id"], unique=False
        )
    _create_triggers()

    op.create_table(
        "board_thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("scope_amber_pct", sa.Float(), nullable=False),
        sa.Column("scope_red_pct", sa.Float(), nullable=False),
        sa.Column("delivery_amber_pct", sa.Float(), nullable=False),
        sa.Column("delivery_red_pct", sa.Float(), nullable=False),
        sa.Column("velocity_drop_pct", sa.Float(), nullable=False),
        sa.Column("acceptance_red_days", sa.Integer(), nullable=False),
        sa.Column("expiry_amber_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id"),
    )
    op.create_table(
        "highlight_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deliverable_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("next_period", sa.Text(), nullable=False),
        sa.Column("declared", tracker.models.types.JSONType, nullable=False),
        sa.Column("updated_at", tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deliverable_id"], ["deliverable.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("deliverable_id", "period_start", "period_end"),
    )
    with op.batch_alter_table("highlight_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_highlight_note_deliverable_id"), ["deliverable_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("highlight_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_highlight_note_deliverable_id"))
    op.drop_table("highlight_note")
    op.drop_table("board_thresholds")
    _drop_triggers()
    with op.batch_alter_table("highlight_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_highlight_report_programme_id"))
    op.drop_table("highlight_report")
