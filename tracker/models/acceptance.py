"""Acceptance criteria, their wording over time, the evidence offered, and the audit ledger.

A criterion's current state lives in `acceptance_criterion`; every wording it has had is a row of
`acceptance_criterion_version` and every piece of evidence a row of `acceptance_evidence`. The
ledger (`audit_entry`) records every change, hash-chained. Versions, evidence and ledger entries
are append-only: the listeners at the bottom refuse an ORM update or delete of them, and migration
0004 adds database triggers for the same on SQLite and PostgreSQL. The ledger refers to people only
by id, so erasing a person leaves every hash valid, and it has no foreign keys, so no cascade can
ever reach it.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Delete, String, Text, Update, event
from sqlalchemy.orm import ORMExecuteState, Session, declared_attr
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.errors import Conflict
from tracker.models import delivery, jira  # noqa: F401  (the tables its foreign keys name)
from tracker.models.criterion_states import CriterionStatus
from tracker.models.types import JSONType, UTCDateTime, utcnow


class AcceptanceCriterion(SQLModel, table=True):
    """One criterion of a deliverable as it stands now; its wording is the row of
    acceptance_criterion_version numbered `version`. `row_version` guards against lost updates.

    SQLAlchemy adds `AND row_version = <loaded>` to every UPDATE and bumps it, so a save based on
    a stale read changes nothing and raises instead of silently overwriting someone else's change.
    """

    __tablename__ = "acceptance_criterion"
    __table_args__ = (UniqueConstraint("deliverable_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True)
    #: shown as AC-<number>, counted per deliverable
    number: int
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    sprint_id: int | None = Field(default=None, foreign_key="jira_sprint.id")
    due_on: date | None = None
    jira_keys: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    status: CriterionStatus = Field(default=CriterionStatus.draft, sa_type=String(20), index=True)
    #: the wording's version number: the latest row of acceptance_criterion_version
    version: int = 1
    row_version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.row_version}  # type: ignore[attr-defined]


class CriterionVersion(SQLModel, table=True):
    """One wording of a criterion (title, text, Statement of Work reference), never changed."""

    __tablename__ = "acceptance_criterion_version"
    __table_args__ = (UniqueConstraint("criterion_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    criterion_id: int = Field(foreign_key="acceptance_criterion.id", index=True)
    version: int
    title: str = Field(max_length=200)
    text: str = Field(sa_type=Text)
    sow_ref: str | None = Field(default=None, max_length=100)
    #: the ledger entry that created this wording and holds its digest
    audit_entry_id: int = Field(foreign_key="audit_entry.id", unique=True)


class CriterionEvidence(SQLModel, table=True):
    """A link offered as evidence that a version of a criterion is met, never changed."""

    __tablename__ = "acceptance_evidence"

    id: int | None = Field(default=None, primary_key=True)
    criterion_id: int = Field(foreign_key="acceptance_criterion.id", index=True)
    version: int
    url: str = Field(max_length=2000)
    note: str | None = Field(default=None, max_length=500)
    #: the ledger entry of the submission, which holds the digest of all its links
    audit_entry_id: int = Field(foreign_key="audit_entry.id", index=True)


class AuditEntry(SQLModel, table=True):
    """One change, chained to the one before it by `prev_hash`.

    `seq` and `prev_hash` are unique, so two appends that read the same tail cannot both commit:
    the loser retries on the new tail and the chain never forks. `entry_hash` is SHA-256 over the
    canonical JSON of every other column (see tracker.services.audit).
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    prev_hash: str = Field(max_length=64, unique=True)
    entry_hash: str = Field(max_length=64, unique=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_user_id: int
    actor_person_id: int
    actor_role: str = Field(max_length=30)
    actor_org_id: int
    subject: str = Field(max_length=40)
    subject_id: int
    deliverable_id: int = Field(index=True)
    action: str = Field(max_length=30)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    version: int | None = None
    comment: str | None = Field(default=None, sa_type=Text)
    #: SHA-256 of what the change introduced (a wording, a set of evidence links), if anything
    content_sha256: str | None = Field(default=None, max_length=64)


APPEND_ONLY = (AuditEntry, CriterionVersion, CriterionEvidence)


class AppendOnlyViolation(Conflict):
    """Something tried to change or remove a row of an append-only table: always a bug."""


def _refuse(_mapper: Any, _connection: Any, target: SQLModel) -> None:
    raise AppendOnlyViolation(
        f"{type(target).__tablename__} is append-only: rows are never changed or deleted"
    )


for _model in APPEND_ONLY:
    event.listen(_model, "before_update", _refuse)
    event.listen(_model, "before_delete", _refuse)

_APPEND_ONLY_TABLES = {model.__table__ for model in APPEND_ONLY}  # type: ignore[attr-defined]


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    """`session.execute(update(AuditEntry))` skips the mapper events above: refuse it here."""
    statement = state.statement
    if isinstance(statement, Update | Delete) and statement.table in _APPEND_ONLY_TABLES:
        raise AppendOnlyViolation(f"{statement.table.name} is append-only")
