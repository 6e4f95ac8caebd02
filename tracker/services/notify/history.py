"""What was sent to whom and when, for admins (people by id, as in the rest of the audit), the
resend button, what someone would receive now, and forgetting an erased person."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.config import mail_settings
from tracker.errors import Conflict, Invalid, NotFound
from tracker.models import (
    AttemptOutcome,
    Deliverable,
    Delivery,
    Notification,
    NotificationAttempt,
    NotificationKind,
    NotificationStatus,
    Person,
)
from tracker.policy import Action, Actor, can, require
from tracker.services.auth.users import email_is
from tracker.services.notify.compose import (
    Context,
    Message,
    Outdated,
    _compose_item,
    digest,
    single,
)
from tracker.services.notify.delivery import _recipient
from tracker.services.notify.gate_watch import GATEKEEPER
from tracker.services.notify.preferences import _delivery_for
from tracker.services.notify.timed import queue_due

S = NotificationStatus
SENT_COLUMNS = [
    "id",
    "created_at",
    "kind",
    "person_id",
    "deliverable",
    "subject",
    "status",
    "attempts",
    "sent_at",
    "in_digest",
    "last_outcome",
    "last_detail",
    "reason",
]
#: what previews link to when TRACKER_BASE_URL is not set
PREVIEW_BASE_URL = "http://localhost:8501"


def sent_frame(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    person_id: int | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The outbox, newest first: each notification's recipient (by person id), kind, subject,
    status, tries and the last server answer (admins)."""
    require(actor, Action.manage_notifications)
    query = (
        select(Notification, Deliverable.ref)
        .outerjoin(Deliverable, Deliverable.id == Notification.deliverable_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    )
    if status:
        if status not in set(S):
            raise Invalid(
                f"'{status}' is not a notification status", [f"use one of {', '.join(S)}"]
            )
        query = query.where(Notification.status == status)
    if person_id is not None:
        query = query.where(Notification.person_id == person_id)
    rows = session.exec(query).all()
    latest = _latest_attempts(session, [n.id or 0 for n, _ in rows])
    frame = pd.DataFrame(
        [
            {
                "id": note.id,
                "created_at": note.created_at,
                "kind": str(note.kind),
                "person_id": note.person_id,
                "deliverable": ref,
                "subject": note.subject,
                "status": str(note.status),
                "attempts": note.attempts,
                "sent_at": note.sent_at,
                "in_digest": note.in_digest,
                "last_outcome": latest.get(note.id or 0, (None, None))[0],
                "last_detail": latest.get(note.id or 0, (None, None))[1],
                "reason": note.reason,
            }
            for note, ref in rows
        ],
        columns=SENT_COLUMNS,
    )
    return frame


def _latest_attempts(session: Session, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    newest = (
        select(func.max(NotificationAttempt.id))
        .where(col(NotificationAttempt.notification_id).in_(ids))
        .group_by(NotificationAttempt.notification_id)  # type: ignore[arg-type]
    )
    rows = session.exec(
        select(
            NotificationAttempt.notification_id,
            NotificationAttempt.outcome,
            NotificationAttempt.detail,
        ).where(col(NotificationAttempt.id).in_(newest))
    ).all()
    return {note_id: (str(outcome), detail) for note_id, outcome, detail in rows}


def attempts_frame(session: Session, actor: Actor, *, notification_id: int) -> pd.DataFrame:
    """Every attempt at one notification, oldest first."""
    require(actor, Action.manage_notifications)
    rows = session.exec(
        select(NotificationAttempt)
        .where(NotificationAttempt.notification_id == notification_id)
        .order_by(NotificationAttempt.id)
    ).all()
    return pd.DataFrame(
        [
            {
                "at": a.at,
                "outcome": str(a.outcome),
                "smtp_code": a.smtp_code,
                "detail": a.detail,
                "by_user_id": a.by_user_id,
            }
            for a in rows
        ],
        columns=["at", "outcome", "smtp_code", "detail", "by_user_id"],
    )


def resend(session: Session, actor: Actor, *, notification_id: int) -> Notification:
    """Send a notification again, on its own, at the next `tracker notify send`: an admin's
    decision (recorded as an attempt naming them), for one that failed, was skipped, or may not
    have arrived."""
    require(actor, Action.manage_notifications)
    note = session.get(Notification, notification_id)
    if note is None:
        raise NotFound(f"there is no notification {notification_id}")
    if note.status == S.pending:
        raise Conflict(f"notification {notification_id} is already waiting to be sent")
    person = session.get(Person, note.person_id)
    if person is None or person.erased:
        raise Conflict(f"notification {notification_id}'s recipient was erased: it cannot be sent")
    note.status, note.next_attempt_at, note.resend, note.reason = S.pending, None, True, None
    session.add(note)
    session.add(
        NotificationAttempt(
            notification_id=notification_id,
            outcome=AttemptOutcome.resend,
            by_user_id=actor.user_id or None,
            detail=None if actor.user_id else "by the command-line operator",
        )
    )
    session.flush()
    return note


@dataclass(frozen=True)
class Preview:
    """What someone would receive if the jobs ran now."""

    email: str
    #: one message per notification they receive at once
    immediate: list[Message]
    #: their next daily digest, if anything waits for it
    digest: Message | None
    #: waiting notifications that would not be sent, and why
    not_sent: list[str]


def preview(
    session: Session, actor: Actor, *, email: str | None = None, today: date | None = None
) -> Preview:
    """What the person with this email (default: the actor) would receive now, including what
    the clock makes due today, without sending or keeping anything (admins, or the person
    themselves)."""
    if email is None:
        person = session.get(Person, actor.person_id)
    else:
        person = session.exec(select(Person).where(email_is(email))).first()
    if person is None or (person.id != actor.person_id and not can(actor, Action.manage_users)):
        raise NotFound(f"no person with the email {email} that you can see")
    email = person.email or ""
    today = today or date.today()
    ctx = Context(mail_settings().base_url or PREVIEW_BASE_URL, today)
    immediate: list[Message] = []
    later = []
    not_sent = []
    savepoint = session.begin_nested()
    try:
        queue_due(session, GATEKEEPER, today=today)
        to = _recipient(session, person.id or 0)
        waiting = session.exec(
            select(Notification)
            .where(Notification.person_id == person.id, Notification.status == S.pending)
            .order_by(Notification.created_at, Notification.id)
        ).all()
        for note in waiting:
            way = (
                Delivery.immediate
                if note.resend
                else _delivery_for(session, to.actor.user_id, NotificationKind(note.kind))
            )
            if way is Delivery.off:
                not_sent.append(f"{note.kind}: turned off")
                continue
            try:
                item = _compose_item(session, to.actor, note, ctx=ctx)
            except Outdated as exc:
                not_sent.append(f"{note.kind}: {exc}")
                continue
            if way is Delivery.digest:
                later.append(item)
            else:
                immediate.append(single(item, ctx=ctx))
    except Outdated as exc:
        not_sent.append(f"nothing can be sent to {email}: {exc}")
    finally:
        savepoint.rollback()
    return Preview(email, immediate, digest(later, ctx=ctx) if later else None, not_sent)


def forget_person(session: Session, actor: Actor, *, person_id: int, email: str | None) -> int:
    """For erasure: nothing more goes to the person, and their address leaves the outbox (the
    server replies recorded with attempts may quote it). Returns how many were cancelled."""
    require(actor, Action.manage_personal_data)
    waiting = session.exec(
        select(Notification).where(
            Notification.person_id == person_id,
            col(Notification.status).in_([S.pending, S.sending]),
        )
    ).all()
    for note in waiting:
        note.status, note.reason, note.resend = S.skipped, "the recipient was erased", False
        session.add(note)
    if email:
        attempts = session.exec(
            select(NotificationAttempt)
            .join(Notification, Notification.id == NotificationAttempt.notification_id)
            .where(
                Notification.person_id == person_id, col(NotificationAttempt.detail).is_not(None)
            )
        ).all()
        for attempt in attempts:
            scrubbed = (attempt.detail or "").replace(email, "<recipient>")
            if email.lower() in scrubbed.lower():
                scrubbed = "<removed on erasure>"
            if scrubbed != attempt.detail:
                attempt.detail = scrubbed
                session.add(attempt)
    session.flush()
    return len(waiting)


def outbox_summary(session: Session, actor: Actor) -> str:
    """One line: how many notifications are in each state."""
    require(actor, Action.manage_notifications)
    counts = dict(
        session.exec(
            select(Notification.status, func.count()).group_by(Notification.status)  # type: ignore[arg-type]
        ).all()
    )
    return ", ".join(f"{counts.get(s, 0)} {s.value}" for s in S)
