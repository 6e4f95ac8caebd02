"""Delivering the outbox: `tracker notify send` (each notification on its own) and `tracker notify
digest` (one email per person gathering what they chose to receive daily).

Each notification is claimed before it goes to the server: its row becomes `sending` and an
attempt row `started` is committed first, then the message is handed over, then the outcome is
committed. If the process dies after the server accepted a message but before the outcome was
committed, the row stays `sending` and tracker does not know whether it arrived. It never sends
such a row again by itself (at most once: nobody gets the same email twice); each run reports
how many there are, and an admin who finds it did not arrive resends it from the Sent
notifications page (or `tracker notify resend ID`). The message's Message-ID names the row, so a
copy that did arrive can be matched to it.

A temporary refusal (4xx) or a network failure is tried again at the next run after a backoff
(5 minutes, doubling, at most 6 hours apart) and given up after MAX_ATTEMPTS; a 5xx refusal is
final. Every attempt is a row of `notification_attempt`.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from tracker.config import MailSettings, mail_settings
from tracker.db import session_scope
from tracker.errors import (
    Invalid,
    NotFound,
    TrackerError,
    count,
)
from tracker.models import (
    AttemptOutcome,
    Delivery,
    Notification,
    NotificationAttempt,
    NotificationKind,
    NotificationStatus,
    Person,
    User,
)
from tracker.models.types import utcnow
from tracker.policy import Action, Actor, require
from tracker.services.auth.users import actor_for_user
from tracker.services.notify.compose import (
    Context,
    Item,
    Message,
    Outdated,
    _compose_item,
    digest,
    single,
)
from tracker.services.notify.preferences import _delivery_for
from tracker.services.notify.smtp import DeliveryFailure, MailServer
from tracker.services.notify.timed import queue_due

S = NotificationStatus
BACKOFF = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 8

ServerFactory = Callable[[MailSettings], MailServer]


class MailNotConfigured(TrackerError):
    """No mail server is set: notifications wait in the outbox."""


@dataclass
class RunReport:
    """What one run did, for its one-line summary (and the exit code)."""

    job: str
    queued: int = 0
    #: emails the server accepted (a digest holds several notifications)
    messages: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0
    #: earlier runs' messages whose fate is unknown (see the module docstring)
    uncertain: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.deferred or self.failed)

    def line(self) -> str:
        sent = (
            f"{count(self.messages, 'digest')} sent holding {count(self.sent, 'notification')}"
            if self.job == "digest"
            else f"{count(self.sent, 'notification')} sent"
        )
        parts = [
            sent,
            f"{self.deferred} to try again later",
            f"{self.failed} failed",
            f"{self.skipped} skipped",
            f"{self.queued} newly due",
        ]
        line = "notify " + self.job + ": " + ", ".join(parts)
        if self.uncertain:
            line += (
                f"; {count(self.uncertain, 'message')} may or may not have reached the mail "
                "server when an earlier run stopped: check Sent notifications and resend if needed"
            )
        return line


def _settings(session: Session) -> MailSettings:
    settings = mail_settings()
    if not settings.host:
        waiting = session.exec(
            select(func.count()).select_from(Notification).where(Notification.status == S.pending)
        ).one()
        raise MailNotConfigured(
            f"TRACKER_SMTP_HOST is not set, so nothing was sent: {count(waiting, 'notification')} "
            "wait in the outbox and go once a mail server is set (see the README's Running it "
            "for real)."
        )
    if settings.problems:
        raise Invalid(
            f"Nothing was sent: the mail settings have {count(len(settings.problems), 'problem')}",
            settings.problems,
        )
    return settings


@dataclass(frozen=True)
class Recipient:
    actor: Actor
    address: str


def _recipient(session: Session, person_id: int) -> Recipient:
    """The person as someone who can receive email now; Outdated says why not."""
    person = session.get(Person, person_id)
    if person is None or person.erased:
        raise Outdated("the recipient was erased")
    if not person.active:
        raise Outdated("the recipient has left")
    if not person.email:
        raise Outdated("the recipient has no email address")
    user = session.exec(select(User).where(User.person_id == person_id)).first()
    if user is None:
        raise Outdated("the recipient has no user account")
    try:
        actor = actor_for_user(session, user.id or 0)
    except NotFound:
        raise Outdated("the recipient's account is switched off") from None
    return Recipient(actor, person.email)


def _email(message: Message, settings: MailSettings, to: str, message_id: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = settings.mail_from or ""
    email["To"] = to
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text())
    email.add_alternative(message.html(), subtype="html")
    return email


def _message_id(settings: MailSettings, label: str) -> str:
    domain = (settings.mail_from or "tracker").rpartition("@")[2] or "tracker"
    return make_msgid(idstring=label, domain=domain)


def _claim(session: Session, notes: list[Notification], subject: str, *, in_digest: bool) -> None:
    """Mark the rows as being sent, with a started attempt each; committed before sending."""
    now = utcnow()
    for note in notes:
        note.status = S.sending
        note.attempts += 1
        note.subject = subject[:300]
        note.in_digest = in_digest
        session.add(note)
        session.add(
            NotificationAttempt(
                notification_id=note.id or 0, at=now, outcome=AttemptOutcome.started
            )
        )


def _finish(
    engine: Engine,
    ids: list[int],
    report: RunReport,
    now: datetime,
    failure: DeliveryFailure | None = None,
) -> None:
    """Record the server's answer on the claimed rows and their started attempts."""
    with session_scope(engine) as session:
        for note_id in ids:
            note = session.get(Notification, note_id)
            assert note is not None  # claimed by this run
            attempt = session.exec(
                select(NotificationAttempt)
                .where(
                    NotificationAttempt.notification_id == note_id,
                    NotificationAttempt.outcome == AttemptOutcome.started,
                )
                .order_by(col(NotificationAttempt.id).desc())
            ).first()
            attempt = attempt or NotificationAttempt(notification_id=note_id, outcome="started")
            attempt.at = utcnow()
            if failure is None:
                note.status, note.sent_at, note.reason, note.resend = S.sent, utcnow(), None, False
                attempt.outcome = AttemptOutcome.accepted
                report.sent += 1
            else:
                attempt.outcome = (
                    AttemptOutcome.deferred if failure.temporary else AttemptOutcome.refused
                )
                attempt.smtp_code, attempt.detail = failure.code, failure.detail
                if failure.temporary and note.attempts < MAX_ATTEMPTS:
                    wait = min(BACKOFF * 2 ** max(note.attempts - 1, 0), BACKOFF_CAP)
                    note.status, note.next_attempt_at = S.pending, now + wait
                    report.deferred += 1
                else:
                    note.status = S.failed
                    note.reason = (
                        failure.detail
                        if not failure.temporary
                        else f"still not accepted after {note.attempts} tries: {failure.detail}"
                    )[:500]
                    report.failed += 1
                if not failure.fatal:
                    report.problems.append(f"notification {note_id}: {failure.detail}")
                elif failure.detail not in report.problems:
                    # the server could not be used at all: one line for the run, not one per row
                    report.problems.append(failure.detail)
            session.add(note)
            session.add(attempt)


def _skip(session: Session, note: Notification, reason: str, report: RunReport) -> None:
    note.status, note.reason = S.skipped, reason[:500]
    session.add(note)
    report.skipped += 1


def _due(session: Session, now: datetime) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(
                Notification.status == S.pending,
                or_(
                    col(Notification.next_attempt_at).is_(None),
                    col(Notification.next_attempt_at) <= now,
                ),
            )
            .order_by(Notification.created_at, Notification.id)
        )
    )


def _uncertain(session: Session, *, in_digest: bool) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.status == S.sending, Notification.in_digest == in_digest)
    ).one()


def _user_id(session: Session, person_id: int) -> int | None:
    return session.exec(select(User.id).where(User.person_id == person_id)).first()


def _way(session: Session, note: Notification) -> Delivery:
    if note.resend:
        return Delivery.immediate
    return _delivery_for(session, _user_id(session, note.person_id), NotificationKind(note.kind))


def _prepare(engine: Engine, actor: Actor, today: date, report: RunReport) -> MailSettings:
    """Queue what the clock made due (committed even if nothing can be sent), then the mail
    settings, refusing without a server or with a bad setting."""
    with session_scope(engine) as session:
        report.queued = sum(vars(queue_due(session, actor, today=today)).values())
    with session_scope(engine) as session:
        return _settings(session)


def send_due(
    engine: Engine,
    actor: Actor,
    *,
    now: datetime | None = None,
    today: date | None = None,
    server: ServerFactory = MailServer,
) -> RunReport:
    """Send every notification due now whose recipient wants it at once (or that an admin
    resent); leave the digest's for `send_digests`; skip the ones turned off or outdated."""
    require(actor, Action.manage_notifications)
    now, report = now or utcnow(), RunReport("send")
    today = today or date.today()
    settings = _prepare(engine, actor, today, report)
    ctx = Context(settings.base_url or "", today)
    with session_scope(engine) as session:
        report.uncertain = _uncertain(session, in_digest=False)
        due = [n.id or 0 for n in _due(session, now) if _way(session, n) is not Delivery.digest]
    with server(settings) as mail:
        for position, note_id in enumerate(due):
            with session_scope(engine) as session:
                note = session.get(Notification, note_id)
                if note is None or note.status != S.pending:
                    continue  # someone else's run took it
                if _way(session, note) is Delivery.off:
                    _skip(session, note, "the recipient turned this kind off", report)
                    continue
                try:
                    to = _recipient(session, note.person_id)
                    message = single(_compose_item(session, to.actor, note, ctx=ctx), ctx=ctx)
                except Outdated as exc:
                    _skip(session, note, str(exc), report)
                    continue
                email = _email(
                    message, settings, to.address, _message_id(settings, f"tracker.{note_id}")
                )
                _claim(session, [note], message.subject, in_digest=False)
            try:
                mail.send(email, to.address)
            except DeliveryFailure as failure:
                _finish(engine, [note_id], report, now, failure)
                if failure.fatal:
                    _defer_rest(engine, due[position + 1 :], report, now, failure)
                    break
            else:
                _finish(engine, [note_id], report, now)
                report.messages += 1
    return report


def _defer_rest(
    engine: Engine, ids: list[int], report: RunReport, now: datetime, failure: DeliveryFailure
) -> None:
    """The server cannot be used this run: the rest wait for the next, each attempt recorded."""
    with session_scope(engine) as session:
        waiting = [
            note
            for note_id in ids
            if (note := session.get(Notification, note_id)) is not None and note.status == S.pending
        ]
        for note in waiting:
            _claim(session, [note], note.subject or "", in_digest=note.in_digest)
    _finish(engine, [n.id or 0 for n in waiting], report, now, failure)


def send_digests(
    engine: Engine,
    actor: Actor,
    *,
    now: datetime | None = None,
    today: date | None = None,
    server: ServerFactory = MailServer,
) -> RunReport:
    """One email per person holding every notification waiting for their daily digest."""
    require(actor, Action.manage_notifications)
    now, report = now or utcnow(), RunReport("digest")
    today = today or date.today()
    settings = _prepare(engine, actor, today, report)
    ctx = Context(settings.base_url or "", today)
    with session_scope(engine) as session:
        report.uncertain = _uncertain(session, in_digest=True)
        people: dict[int, list[int]] = defaultdict(list)
        for note in _due(session, now):
            if _way(session, note) is Delivery.digest:
                people[note.person_id].append(note.id or 0)
    with server(settings) as mail:
        for person_id, note_ids in sorted(people.items()):
            with session_scope(engine) as session:
                notes = [
                    n
                    for i in note_ids
                    if (n := session.get(Notification, i)) is not None and n.status == S.pending
                ]
                try:
                    to = _recipient(session, person_id)
                except Outdated as exc:
                    for note in notes:
                        _skip(session, note, str(exc), report)
                    continue
                items: list[Item] = []
                claimed = []
                for note in notes:
                    try:
                        items.append(_compose_item(session, to.actor, note, ctx=ctx))
                    except Outdated as exc:
                        _skip(session, note, str(exc), report)
                    else:
                        claimed.append(note)
                if not items:
                    continue
                message = digest(items, ctx=ctx)
                label = f"tracker.digest.{person_id}.{claimed[0].id}"
                email = _email(message, settings, to.address, _message_id(settings, label))
                _claim(session, claimed, message.subject, in_digest=True)
                ids = [n.id or 0 for n in claimed]
            try:
                mail.send(email, to.address)
            except DeliveryFailure as failure:
                _finish(engine, ids, report, now, failure)
                if failure.fatal:
                    break  # the others' rows stay pending for the next digest run
            else:
                _finish(engine, ids, report, now)
                report.messages += 1
    return report
