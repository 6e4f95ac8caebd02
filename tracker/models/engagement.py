"""The stakeholder map: who is engaged on each deliverable, at which stage, and how.

Rows refer to people by id only, so personal data stays in `person` and erasing someone leaves
every map pointing at the same, now anonymous, person.
"""

from enum import StrEnum

from sqlalchemy import CheckConstraint, String
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import delivery, people  # noqa: F401  (the tables its foreign keys name)


class Side(StrEnum):
    """Whose side of the commissioning relationship a person is engaged on."""

    council = "council"
    supplier = "supplier"
    charity = "charity"
    partner = "partner"


class Channel(StrEnum):
    email = "email"
    phone = "phone"
    video = "video call"
    in_person = "in person"


class Engagement(SQLModel, table=True):
    """One person's part in one deliverable at one stage (`stage_id` None: at every stage).

    `raci` holds one or more of the letters R, A, C, I in that order ("RA" is responsible and
    accountable); the one-Accountable-per-side rule spans rows, so the services enforce it.
    """

    __table_args__ = (
        UniqueConstraint("deliverable_id", "stage_id", "person_id"),
        CheckConstraint("power BETWEEN 1 AND 5", name="ck_engagement_power"),
        CheckConstraint("interest BETWEEN 1 AND 5", name="ck_engagement_interest"),
        CheckConstraint("escalation_order >= 1", name="ck_engagement_escalation_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True, ondelete="CASCADE")
    stage_id: int | None = Field(default=None, foreign_key="stage.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)
    raci: str = Field(max_length=4)
    side: Side = Field(sa_type=String(10))
    escalation_order: int | None = None
    power: int = 3
    interest: int = 3
    channel: Channel | None = Field(default=None, sa_type=String(12))
    notes: str | None = Field(default=None, max_length=1000)
