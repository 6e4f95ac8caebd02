"""Notifications nobody's change causes: the clock's. `tracker notify send` (and `digest`) call
`queue_due` first, so criteria past their due date, accreditations nearing expiry and gates
blocked by an expiry are queued on the day they happen. Each is keyed by what made it due (the
due date, the expiry date and its window), so running again the same day, or the next, queues
nothing more, while a new due date or a renewal's expiry is a new event.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from tracker.config import owner_overdue_days
from tracker.models import (
    AcceptanceCriterion,
    Accreditation,
    CriterionStatus,
    Deliverable,
    NotificationKind,
)
from tracker.policy import Action, Actor, require
from tracker.services.acceptance.criteria import SUPPLIER_WAITS
from tracker.services.assurance.gates import EXPIRY_WINDOWS
from tracker.services.notify import recipients
from tracker.services.notify.gate_watch import refresh_gate_blocks
from tracker.services.notify.outbox import _queue

K = NotificationKind


@dataclass(frozen=True)
class Found:
    """How many notifications the clock queued this time."""

    overdue: int
    expiring: int
    blocked: int


def expiry_window(expires_on: date, today: date) -> int | None:
    """The window (30 or 60 days) an expiry date falls in today; None outside them or once
    expired (an expired accreditation shows as a blocked gate instead)."""
    days = (expires_on - today).days
    if days < 0:
        return None
    return next((window for window in EXPIRY_WINDOWS if days <= window), None)


def _overdue(session: Session, today: date, owner_after: int) -> int:
    rows = session.exec(
        select(AcceptanceCriterion, Deliverable)
        .join(Deliverable, Deliverable.id == AcceptanceCriterion.deliverable_id)
        .where(
            col(AcceptanceCriterion.due_on).is_not(None),
            col(AcceptanceCriterion.due_on) < today,
            AcceptanceCriterion.status != CriterionStatus.accepted,
        )
    ).all()
    events = 0
    for criterion, deliverable in rows:
        due = criterion.due_on
        assert due is not None  # selected so
        audiences = []
        if CriterionStatus(criterion.status) in SUPPLIER_WAITS:
            audiences.append(("supplier", recipients._supplier_contacts(session, deliverable)))
        if today > due + timedelta(days=owner_after):
            audiences.append(("owner", recipients._owners(session, deliverable)))
        for audience, people in audiences:
            events += _queue(
                session,
                event_key=f"criterion:{criterion.id}:due:{due.isoformat()}:{audience}",
                kind=K.criterion_overdue,
                person_ids=people,
                deliverable_id=deliverable.id,
                facts={
                    "criterion_id": criterion.id,
                    "due_on": due.isoformat(),
                    "audience": audience,
                },
            )
    return events


def _expiring(session: Session, today: date) -> int:
    held = session.exec(select(Accreditation).where(col(Accreditation.expires_on).is_not(None)))
    accreditations = list(held)
    events = 0
    for acc in accreditations:
        assert acc.expires_on is not None  # selected so
        window = expiry_window(acc.expires_on, today)
        renewed = any(
            other.id != acc.id
            and other.organisation_id == acc.organisation_id
            and other.scheme == acc.scheme
            and (other.expires_on is None or other.expires_on > acc.expires_on)
            for other in accreditations
        )
        if window is None or renewed:
            continue
        events += _queue(
            session,
            event_key=(
                f"accreditation:{acc.id}:expires:{acc.expires_on.isoformat()}:within-{window}"
            ),
            kind=K.accreditation_expiring,
            person_ids=recipients.union(
                recipients._admins(session),
                recipients._accountable_contacts(session, acc.organisation_id),
            ),
            facts={
                "accreditation_id": acc.id,
                "organisation_id": acc.organisation_id,
                "expires_on": acc.expires_on.isoformat(),
                "window": window,
            },
        )
    return events


def queue_due(session: Session, actor: Actor, *, today: date | None = None) -> Found:
    """Queue what the clock has made due by `today` (default: today); idempotent."""
    require(actor, Action.manage_notifications)
    today = today or date.today()
    return Found(
        overdue=_overdue(session, today, owner_overdue_days()),
        expiring=_expiring(session, today),
        blocked=refresh_gate_blocks(session, actor, today=today),
    )
