"""Email notifications: the outbox, every delivery attempt, and what each user wants to receive.

The outbox (`notification`) is written in the same transaction as the change that causes it, so a
change never happens without its notification and a rolled-back change leaves none. One row is
one event for one person, unique on (`event_key`, `person_id`): queueing the same event twice for
the same person is a no-op, which is what "never twice to the same person" rests on.

No address, name or message body is stored: rows name people by id, as the rest of the audit
does, and the address is read from `person` when the message is sent. So erasing a person
leaves nothing of theirs here (erasure also cancels what was still waiting for them, and clears
their address from any server reply recorded in `notification_attempt`).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from tracker.models import delivery, organisations, people  # noqa: F401  (the tables its foreign keys name)
from tracker.models.types import JSONType, UTCDateTime, utcnow


class NotificationKind(StrEnum):
    criteria_to_confirm = "criteria to confirm"
    query_raised = "query raised"
    evidence_submitted = "evidence submitted"
    criterion_overdue = "criterion overdue"
    accreditation_expiring = "accreditation expiring"
    gate_blocked = "gate blocked"
    sprint_closed = "sprint closed"
    board_pack_published = "board pack published"


class Delivery(StrEnum):
    """How a user wants one kind: at once, gathered into one daily email, or not at all."""

    immediate = "immediate"
    digest = "daily digest"
    off = "off"


class NotificationStatus(StrEnum):
    #: waiting for `tracker notify send` (or `digest`), perhaps after a refusal (next_attempt_at)
    pending = "pending"
    #: claimed by a run that was handing it to the mail server; if the run died, whether the
    #: server accepted it is unknown, so it is never retried by itself (see the README)
    sending = "sending"
    sent = "sent"
    #: refused for good, or still refused after every retry
    failed = "failed"
    #: not sent, and never will be unless resent: turned off, or the recipient cannot receive it
    skipped = "skipped"


class Notification(SQLModel, table=True):
    """One event for one person. `facts` holds the ids the message is composed from at sending
    time (through the recipient's own view, so it shows only what they may see in the app)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("event_key", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    #: the event, e.g. "audit:412" (a ledger entry) or "criterion:7:due:2026-11-20:supplier"
    event_key: str = Field(max_length=200)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: NotificationKind = Field(sa_type=String(30))
    deliverable_id: int | None = Field(default=None, foreign_key="deliverable.id", index=True)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    status: NotificationStatus = Field(
        default=NotificationStatus.pending, sa_type=String(10), index=True
    )
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: the subject line it was (last) sent with, for the admin's list
    subject: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: in a daily digest rather than on its own
    in_digest: bool = False
    #: an admin asked for it again (who and when is an attempt row): it goes at the next
    #: `tracker notify send` on its own, whatever the recipient's preference
    resend: bool = False
    #: why it was skipped or failed, in words (never an address)
    reason: str | None = Field(default=None, max_length=500)


class AttemptOutcome(StrEnum):
    #: the run handed the message to the server; replaced by the outcome once the server answers
    started = "started"
    accepted = "accepted"
    #: a temporary refusal or a connection failure: tried again later
    deferred = "deferred"
    refused = "refused"
    resend = "resend requested"


class NotificationAttempt(SQLModel, table=True):
    """One try at delivering a notification (or an admin's request to resend it)."""

    __tablename__ = "notification_attempt"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: AttemptOutcome = Field(sa_type=String(20))
    smtp_code: int | None = None
    #: the server's reply or the failure, with the recipient's address taken out
    detail: str | None = Field(default=None, sa_type=Text)
    by_user_id: int | None = Field(default=None, foreign_key="user.id")


class NotificationPreference(SQLModel, table=True):
    """A user's choice for one kind; a kind without a row gets its default (see notify.kinds)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: NotificationKind = Field(sa_type=String(30))
    delivery: Delivery = Field(sa_type=String(15))


class GateBlock(SQLModel, table=True):
    """A deliverable's gate known to be blocked for an organisation, since when: what makes a
    block *new* (and worth telling people) when assurance is re-checked. The row goes when the
    block ends, so a later block is new again."""

    __tablename__ = "gate_block"
    __table_args__ = (UniqueConstraint("deliverable_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    deliverable_id: int = Field(foreign_key="deliverable.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    missing: str = Field(max_length=500)
