"""Sign-in, sign-out and refused sign-ins, for the programme admin to review.

Rows name users by id only: personal data lives in `person`, so erasing someone leaves this log
consistent. A refused identity has no user, and tracker keeps nothing personal about a stranger:
only the domain of the address they signed in with, enough to spot a partner organisation whose
people are not set up yet.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, String
from sqlmodel import Field, SQLModel

from tracker.models import people  # noqa: F401  (the tables its foreign keys name)
from tracker.models.types import UTCDateTime, utcnow


class SignInEventKind(StrEnum):
    sign_in = "sign in"
    sign_out = "sign out"
    refused = "refused"


class SignInEvent(SQLModel, table=True):
    """One sign-in, sign-out or refusal.

    `token_issued_at` is the identity token's `iat` claim: one sign-in with the identity provider
    serves every tab and reload for as long as Streamlit's identity cookie lasts, so it is recorded
    once per token rather than once per browser session.
    """

    __tablename__ = "sign_in_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    event: SignInEventKind = Field(sa_type=String(10))
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    email_domain: str | None = Field(default=None, max_length=255)
    token_issued_at: int | None = Field(default=None, sa_type=BigInteger)
