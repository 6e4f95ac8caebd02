"""The RAID log (risks, assumptions, issues), the decision log, and declared dependencies.

These are the programme board's own records: the sync never touches them. Each row's current
state lives here; every change to a RAID item or a decision is also an entry in the audit ledger
(`audit_entry`) holding a digest of the row as saved, so `tracker audit verify` proves the row was
not changed behind tracker's back. Rows refer to people by id only. `row_version` guards against
lost updates, as on acceptance criteria.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import delivery, organisations, people  # noqa: F401  (the tables its foreign keys name)
from tracker.models.types import UTCDateTime, utcnow


class RaidKind(StrEnum):
    risk = "risk"
    assumption = "assumption"
    issue = "issue"


#: how each kind's numbers are shown: R-3, A-1, I-2
RAID_PREFIX = {RaidKind.risk: "R", RaidKind.assumption: "A", RaidKind.issue: "I"}


class RaidStatus(StrEnum):
    open = "open"
    closed = "closed"
    #: a risk that happened; it stays in the log, and the issue it became links back to it
    occurred = "occurred"


class RiskResponse(StrEnum):
    avoid = "avoid"
    reduce = "reduce"
    transfer = "transfer"
    accept = "accept"


class Escalation(StrEnum):
    none = "none"
    programme_board = "programme board"
    joint_committee = "joint committee"


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class _Versioned(SQLModel):
    """Rows people edit: a stale save changes nothing and raises (SQLAlchemy's version counter)."""

    row_version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.row_version}  # type: ignore[attr-defined]


class RaidItem(_Versioned, table=True):
    """A risk, an assumption or an issue of a programme, optionally of one deliverable.

    Risks use likelihood and impact (1-5; the score is their product, computed, never stored or
    typed), proximity, response, mitigation and residual ratings; assumptions and issues use
    priority, due date and resolution. All share ownership, review date and escalation.
    """

    __tablename__ = "raid_item"
    __table_args__ = (UniqueConstraint("programme_id", "kind", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    kind: RaidKind = Field(sa_type=String(12))
    #: shown with the kind's prefix (R-3), counted per programme and kind
    number: int
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    deliverable_id: int | None = Field(default=None, foreign_key="deliverable.id", index=True)
    owner_org_id: int = Field(foreign_key="organisation.id", index=True)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id")
    likelihood: int | None = None
    impact: int | None = None
    proximity: date | None = None
    response: RiskResponse | None = Field(default=None, sa_type=String(10))
    mitigation: str | None = Field(default=None, sa_type=Text)
    review_date: date | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    escalation: Escalation = Field(default=Escalation.none, sa_type=String(20))
    status: RaidStatus = Field(default=RaidStatus.open, sa_type=String(10), index=True)
    priority: Priority | None = Field(default=None, sa_type=String(10))
    due_date: date | None = None
    resolution: str | None = Field(default=None, sa_type=Text)
    #: for an issue raised when a risk occurred: that risk
    risk_id: int | None = Field(default=None, foreign_key="raid_item.id")


class DecisionStatus(StrEnum):
    proposed = "proposed"
    decided = "decided"
    superseded = "superseded"
    reversed = "reversed"


class Decision(_Versioned, table=True):
    """A decision the programme needs or took: proposed -> decided (by a body, on a date, with a
    minute reference) -> superseded or reversed by a later decision (`replaced_by_id`). Once
    decided its wording and record never change; only a new decision replaces it."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    #: shown as D-<number>, counted per programme
    number: int
    title: str = Field(max_length=200)
    #: what is to be decided, with the options
    detail: str | None = Field(default=None, sa_type=Text)
    deliverable_id: int | None = Field(default=None, foreign_key="deliverable.id", index=True)
    raid_item_id: int | None = Field(default=None, foreign_key="raid_item.id")
    #: the organisation bringing the decision
    owner_org_id: int = Field(foreign_key="organisation.id")
    needed_by: date | None = None
    status: DecisionStatus = Field(default=DecisionStatus.proposed, sa_type=String(12), index=True)
    outcome: str | None = Field(default=None, sa_type=Text)
    body: str | None = Field(default=None, max_length=100)
    decided_on: date | None = None
    minute_ref: str | None = Field(default=None, max_length=100)
    replaced_by_id: int | None = Field(default=None, foreign_key="decision.id")


class DependencyKind(StrEnum):
    deliverable = "deliverable"
    data_feed = "data feed"
    environment = "environment"
    contract = "contract"
    other = "other"


class DependencyStatus(StrEnum):
    open = "open"
    done = "done"


class Dependency(_Versioned, table=True):
    """A deliverable waiting on another deliverable, or on an organisation (a data feed, an
    environment, a contract), by a date. `expected_by` is the provider's forecast; for a
    deliverable left empty, the provider deliverable's target date stands in."""

    __tablename__ = "dependency"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    #: shown as DEP-<number>, counted per programme
    number: int
    consumer_id: int = Field(foreign_key="deliverable.id", index=True)
    kind: DependencyKind = Field(sa_type=String(12))
    provider_deliverable_id: int | None = Field(
        default=None, foreign_key="deliverable.id", index=True
    )
    provider_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    description: str = Field(max_length=500)
    needed_by: date
    expected_by: date | None = None
    status: DependencyStatus = Field(default=DependencyStatus.open, sa_type=String(6))
