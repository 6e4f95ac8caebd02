"""Organisations in a programme and the security accreditations they hold."""

from datetime import date
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel, UniqueConstraint


class OrgKind(StrEnum):
    council = "council"
    county_council = "county council"
    charity = "charity"
    supplier = "supplier"
    other = "other"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    kind: OrgKind = Field(sa_type=String(20))


class Accreditation(SQLModel, table=True):
    """A certificate an organisation holds; `level` carries e.g. the DSPT status and year."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    scheme: str = Field(max_length=60)
    scope: str | None = Field(default=None, max_length=500)
    level: str | None = Field(default=None, max_length=100)
    certificate_ref: str | None = Field(default=None, max_length=100)
    valid_from: date | None = None
    expires_on: date | None = None


class Programme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class ProgrammeMember(SQLModel, table=True):
    __tablename__ = "programme_member"
    __table_args__ = (UniqueConstraint("programme_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    role: str | None = Field(default=None, max_length=100)
