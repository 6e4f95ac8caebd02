"""Deliverables, the stages they move through, and how their Jira work is found."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import jira, organisations, people  # noqa: F401  (the tables its foreign keys name)
from tracker.models.types import UTCDateTime

DEFAULT_STAGES = ("Discovery", "Alpha", "Beta", "Live")


class Rag(StrEnum):
    red = "red"
    amber = "amber"
    green = "green"


class Sensitivity(StrEnum):
    """Data handled by a deliverable; the assurance rules map each to required accreditations."""

    public = "public"
    official = "official"
    personal = "personal data"
    special_category = "special category personal data"
    social_care = "adult social care personal data"


class Stage(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("programme_id", "name"),
        UniqueConstraint("programme_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=60)
    position: int


class Deliverable(SQLModel, table=True):
    """A piece of shared work. `row_version` guards its stage, RAG and target date against lost
    updates: SQLAlchemy adds `AND row_version = <loaded>` to every UPDATE and bumps it, so of two
    people saving at once the second changes nothing and is told so."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    ref: str = Field(unique=True, max_length=30)
    title: str = Field(max_length=200)
    owner_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id")
    sensitivity: Sensitivity = Field(default=Sensitivity.official, sa_type=String(40))
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    rag: Rag = Field(default=Rag.green, sa_type=String(5))
    rag_reason: str | None = Field(default=None, max_length=500)
    target_date: date | None = None
    row_version: int = 1

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.row_version}  # type: ignore[attr-defined]


class DeliverableStage(SQLModel, table=True):
    """Planned and actual dates of one deliverable at one stage."""

    __tablename__ = "deliverable_stage"
    __table_args__ = (UniqueConstraint("deliverable_id", "stage_id"),)

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True, ondelete="CASCADE")
    stage_id: int = Field(foreign_key="stage.id", index=True, ondelete="CASCADE")
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None


class ScopeKind(StrEnum):
    board = "board"
    epic = "epic"
    component = "component"
    label = "label"
    jql = "jql"


class DeliverableScope(SQLModel, table=True):
    """One rule saying which Jira issues belong to a deliverable; a deliverable may have several."""

    __tablename__ = "deliverable_scope"
    __table_args__ = (UniqueConstraint("deliverable_id", "site_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True, ondelete="CASCADE")
    site_id: int = Field(foreign_key="jira_site.id", index=True)
    kind: ScopeKind = Field(sa_type=String(10))
    value: str = Field(max_length=1000)


class DeliverableStatusChange(SQLModel, table=True):
    """One change of a deliverable's stage, RAG or target date: the board reads the history of a
    rating, not only its latest value. People are referred to by user id only."""

    __tablename__ = "deliverable_status_change"

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True, ondelete="CASCADE")
    at: datetime = Field(sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    from_stage_id: int | None = Field(default=None, foreign_key="stage.id")
    to_stage_id: int | None = Field(default=None, foreign_key="stage.id")
    from_rag: str | None = Field(default=None, sa_type=String(5))
    to_rag: str | None = Field(default=None, sa_type=String(5))
    from_target: date | None = None
    to_target: date | None = None
    reason: str | None = Field(default=None, max_length=500)
