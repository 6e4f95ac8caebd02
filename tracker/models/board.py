"""The programme board's pack: the derived ratings' thresholds, the owners' highlight notes and
the published highlight reports.

A published report is a frozen snapshot: its content is the canonical JSON the pack is drawn from,
never recomputed, so later edits and syncs cannot change what the board was given. Reports are
append-only (the listeners below, and triggers in migration 0010); publishing the same period
again adds a report that names the one it supersedes, which stays readable. Rows refer to people
by user id only.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Delete, Text, Update, event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import acceptance, delivery, organisations, people  # noqa: F401  (the tables its foreign keys name)
from tracker.models.acceptance import AppendOnlyViolation
from tracker.models.types import JSONType, UTCDateTime, utcnow


class BoardThresholds(SQLModel, table=True):
    """The limits of the derived RAG rules for one programme (tracker.metrics.rag.Thresholds);
    a programme without a row uses the defaults."""

    __tablename__ = "board_thresholds"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", unique=True, ondelete="CASCADE")
    scope_amber_pct: float = 10
    scope_red_pct: float = 20
    delivery_amber_pct: float = 25
    delivery_red_pct: float = 50
    velocity_drop_pct: float = 20
    acceptance_red_days: int = 14
    expiry_amber_days: int = 30
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class HighlightNote(SQLModel, table=True):
    """What a deliverable's project owner writes for one period: a summary, the next period's
    plan, and their declared rating per dimension ({"Time": "amber", ...})."""

    __tablename__ = "highlight_note"
    __table_args__ = (UniqueConstraint("deliverable_id", "period_start", "period_end"),)

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True, ondelete="CASCADE")
    period_start: date
    period_end: date
    summary: str = Field(default="", sa_type=Text)
    next_period: str = Field(default="", sa_type=Text)
    declared: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class HighlightReport(SQLModel, table=True):
    """One publication of a programme's highlight report for a period, never changed.

    `content` is the canonical JSON of the pack (sorted keys, no spaces); `content_sha256` its
    digest, also recorded in the audit ledger entry `audit_entry_id`. `supersedes_id` is the
    report for the same period this one replaced.
    """

    __tablename__ = "highlight_report"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    period_start: date
    period_end: date
    published_at: datetime = Field(sa_type=UTCDateTime)
    published_by: int
    content: str = Field(sa_type=Text)
    content_sha256: str = Field(max_length=64)
    audit_entry_id: int = Field(foreign_key="audit_entry.id", unique=True)
    supersedes_id: int | None = Field(default=None, foreign_key="highlight_report.id", unique=True)


def _refuse(_mapper: Any, _connection: Any, target: SQLModel) -> None:
    raise AppendOnlyViolation("highlight_report is append-only: a published report never changes")


event.listen(HighlightReport, "before_update", _refuse)
event.listen(HighlightReport, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    statement = state.statement
    if (
        isinstance(statement, Update | Delete) and statement.table is HighlightReport.__table__  # type: ignore[attr-defined]
    ):
        raise AppendOnlyViolation("highlight_report is append-only")
