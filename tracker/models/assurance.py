"""Supplier assurance: which accreditations each data sensitivity needs, and recorded overrides.

The accreditations themselves are in `organisations.Accreditation`; the default rules are seeded
by migration 0003 and admins edit them from then on.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import delivery, organisations, people  # noqa: F401  (the tables its foreign keys name)
from tracker.models.delivery import Sensitivity
from tracker.models.types import UTCDateTime, utcnow


class Scheme(StrEnum):
    """Accreditation schemes tracker knows how to compare; "Other" is recorded, never required."""

    cyber_essentials = "Cyber Essentials"
    cyber_essentials_plus = "Cyber Essentials Plus"
    iso27001 = "ISO/IEC 27001"
    dspt = "NHS DSPT"
    psn = "PSN"
    other = "Other"


class AccreditationRule(SQLModel, table=True):
    """Data of this sensitivity may go only to organisations holding this scheme (at `min_level`,
    for schemes with levels such as the DSPT's "Standards Met")."""

    __tablename__ = "accreditation_rule"
    __table_args__ = (UniqueConstraint("sensitivity", "scheme"),)

    id: int | None = Field(default=None, primary_key=True)
    sensitivity: Sensitivity = Field(sa_type=String(40))
    scheme: Scheme = Field(sa_type=String(60))
    min_level: str | None = Field(default=None, max_length=100)


class AssuranceOverride(SQLModel, table=True):
    """An admin's recorded decision to let an organisation handle a deliverable it lacks
    accreditations for; `missing` keeps what was lacking at the time, for the audit."""

    __tablename__ = "assurance_override"

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    missing: str = Field(max_length=500)
    reason: str = Field(max_length=1000)
    by_person_id: int = Field(foreign_key="person.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
