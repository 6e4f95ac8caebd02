"""People and the users who act as them.

`Person` is the only table holding personal data (name, email, phone); every other table refers to
people by id, so erasing a person rewrites one row and leaves every history and hash intact.
"""

import hashlib
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from tracker.models import organisations  # noqa: F401  (the tables its foreign keys name)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    job_title: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, unique=True)
    phone: str | None = Field(default=None, max_length=40)
    active: bool = True
    erased: bool = False
    #: SHA-256 of the lower-cased email an erased person had (see `erased_email_digest`): the only
    #: trace of the address kept, so `TRACKER_ADMINS` can never give them a fresh account
    erased_email_digest: str | None = Field(default=None, max_length=64, index=True)


def erased_email_digest(email: str) -> str:
    """The one-way digest erasure keeps of an address, matched ignoring case."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class Role(StrEnum):
    admin = "admin"
    project_owner = "project owner"
    supplier_contact = "supplier contact"
    board_member = "programme board member"


class User(SQLModel, table=True):
    """Someone who can sign in. Their email, for matching an identity, is the person's email."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    role: Role = Field(sa_type=String(30))
    active: bool = True
