"""Delivering the outbox over a real SMTP conversation, on SQLite and PostgreSQL: never twice to
the same person (also after the process dies mid-send), retries with backoff after the server
refuses, the daily digest, preferences, erasure, and refusing to send without a mail server."""

from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.support.mail import (
    KAREN,
    NOW,
    SmtpServer,
    actor,
    digest,
    drained,
    notifications,
    send,
    send_rb01_criterion,
)
from tests.support.roles import ADMIN, OWNER
from tracker.db import session_scope
from tracker.errors import Conflict, Invalid, NotFound
from tracker.models import (
    AcceptanceCriterion,
    AttemptOutcome,
    CriterionMove,
    Notification,
    NotificationAttempt,
    NotificationKind,
    Person,
)
from tracker.services.acceptance.criteria import (
    EvidenceLink,
    make_move,
)
from tracker.services.notify.delivery import MailNotConfigured, send_due
from tracker.services.notify.history import preview, resend
from tracker.services.notify.preferences import set_preferences
from tracker.services.notify.smtp import MailServer
from tracker.services.people.personal_data import erase_person

M = CriterionMove


def _supplier_moves(engine: Engine, criterion_id: int, *moves: CriterionMove) -> None:
    karen = actor(engine, KAREN)
    for move in moves:
        with session_scope(engine) as session:
            make_move(
                session,
                karen,
                criterion_id=criterion_id,
                move=move,
                expected_row_version=_row_version(session, criterion_id),
                comment="Which template?" if move is M.query else None,
            )


def _row_version(session: Session, criterion_id: int) -> int:
    criterion = session.get(AcceptanceCriterion, criterion_id)
    assert criterion is not None
    return criterion.row_version


class _DiesAfterTheServerAccepts(MailServer):
    """The process dying between the server's 250 and the row being marked sent."""

    def send(self, message: EmailMessage, to: str) -> None:
        super().send(message, to)
        raise SystemExit("killed")


def test_a_run_that_dies_after_the_server_accepted_never_sends_it_again(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    send_rb01_criterion(demo_engine)
    admin = actor(demo_engine, ADMIN)

    with pytest.raises(SystemExit):
        send_due(demo_engine, admin, now=NOW, server=_DiesAfterTheServerAccepts)
    rerun = send(demo_engine)
    later = send(demo_engine, now=NOW + timedelta(days=1))

    assert [r.to for r in smtp_server.inbox.received] == [KAREN]
    assert (rerun.sent, rerun.uncertain, later.sent) == (0, 1, 0)
    assert "1 message may or may not have reached the mail server" in rerun.line()
    [note] = notifications(demo_engine, status="sending")
    with Session(demo_engine) as session:
        attempts = session.exec(
            select(NotificationAttempt.outcome).where(
                NotificationAttempt.notification_id == note.id
            )
        ).all()
    assert attempts == [AttemptOutcome.started]
    # an admin who finds it did not arrive resends it: exactly once more
    with session_scope(demo_engine) as session:
        resend(session, admin, notification_id=note.id or 0)
    send(demo_engine)
    send(demo_engine)
    assert [r.to for r in smtp_server.inbox.received] == [KAREN, KAREN]


def test_a_temporary_refusal_is_retried_after_a_backoff_and_each_attempt_recorded(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    send_rb01_criterion(demo_engine)
    smtp_server.inbox.refuse_rcpt = [f"451 4.7.1 <{KAREN}>: greylisted, try again later"]

    refused = send(demo_engine)
    too_soon = send(demo_engine, now=NOW + timedelta(minutes=4))
    retried = send(demo_engine, now=NOW + timedelta(minutes=5))

    assert (refused.deferred, refused.ok, too_soon.sent, retried.sent) == (1, False, 0, 1)
    assert [r.to for r in smtp_server.inbox.received] == [KAREN]
    note = notifications(demo_engine, status="sent", kind=NotificationKind.criteria_to_confirm)[-1]
    with Session(demo_engine) as session:
        attempts = session.exec(
            select(NotificationAttempt)
            .where(NotificationAttempt.notification_id == note.id)
            .order_by(NotificationAttempt.id)
        ).all()
    assert [(a.outcome, a.smtp_code) for a in attempts] == [
        (AttemptOutcome.deferred, 451),
        (AttemptOutcome.accepted, None),
    ]
    assert attempts[0].detail == "451 4.7.1 <<recipient>>: greylisted, try again later"
    assert note.attempts == 2


def test_a_permanent_refusal_fails_at_once_and_is_not_retried(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    send_rb01_criterion(demo_engine)
    smtp_server.inbox.refuse_rcpt = ["550 5.1.1 mailbox unavailable"]

    refused = send(demo_engine)
    later = send(demo_engine, now=NOW + timedelta(days=1))

    assert (refused.failed, later.sent) == (1, 0)
    assert smtp_server.inbox.received == []
    [note] = notifications(demo_engine, status="failed")
    assert note.reason == "550 5.1.1 mailbox unavailable"


def test_an_unreachable_server_defers_everything_and_loses_nothing(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str], monkeypatch
) -> None:
    drained(demo_engine, smtp_server)
    send_rb01_criterion(demo_engine, "First")
    send_rb01_criterion(demo_engine, "Second")
    monkeypatch.setenv("TRACKER_SMTP_PORT", "9")  # nothing listens on the discard port

    down = send(demo_engine)
    monkeypatch.setenv("TRACKER_SMTP_PORT", mail_env["TRACKER_SMTP_PORT"])
    back = send(demo_engine, now=NOW + timedelta(minutes=5))

    assert (down.deferred, down.sent, back.sent) == (2, 0, 2)
    assert "cannot reach the mail server at 127.0.0.1:9" in down.problems[0]
    assert len(smtp_server.inbox.to(KAREN)) == 2


def test_without_a_mail_server_notifications_wait_and_nothing_is_lost(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str], monkeypatch
) -> None:
    drained(demo_engine, smtp_server)
    send_rb01_criterion(demo_engine)
    monkeypatch.delenv("TRACKER_SMTP_HOST")

    with pytest.raises(MailNotConfigured, match="TRACKER_SMTP_HOST is not set"):
        send(demo_engine)
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    send(demo_engine)

    assert [r.to for r in smtp_server.inbox.received] == [KAREN]


def test_bad_mail_settings_are_each_named_and_nothing_is_sent(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str], monkeypatch
) -> None:
    send_rb01_criterion(demo_engine)
    monkeypatch.setenv("TRACKER_SMTP_HOST", "smtp.partnership.example")
    monkeypatch.setenv("TRACKER_SMTP_PORT", "twenty-five")
    monkeypatch.delenv("TRACKER_MAIL_FROM")

    with pytest.raises(Invalid) as refused:
        send(demo_engine)

    assert refused.value.problems == [
        "TRACKER_SMTP_PORT is 'twenty-five': give a whole number of at least 1",
        "TRACKER_SMTP_SECURITY=none sends in clear, so only to a server on this host "
        "(localhost), not smtp.partnership.example: use starttls or tls",
        "TRACKER_MAIL_FROM must be the address notifications come from",
    ]
    assert smtp_server.inbox.received == []
    assert not notifications(demo_engine, status="sent", kind=NotificationKind.criteria_to_confirm)


def test_the_daily_digest_holds_the_days_events_in_one_email(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    owner = actor(demo_engine, OWNER)
    with session_scope(demo_engine) as session:
        set_preferences(
            session,
            owner,
            choices={"query raised": "daily digest", "evidence submitted": "daily digest"},
        )
    queried = send_rb01_criterion(demo_engine, "Letters in plain English")
    proven = send_rb01_criterion(demo_engine, "Refunds within five days")
    _supplier_moves(demo_engine, queried, M.query)
    _supplier_moves(demo_engine, proven, M.confirm)
    karen = actor(demo_engine, KAREN)
    with session_scope(demo_engine) as session:
        make_move(
            session,
            karen,
            criterion_id=proven,
            move=M.submit_evidence,
            expected_row_version=_row_version(session, proven),
            evidence=(EvidenceLink("https://evidence.example/refunds"),),
        )

    sent_at_once = send(demo_engine)
    first = digest(demo_engine)
    second = digest(demo_engine)

    [mail] = smtp_server.inbox.to(OWNER)
    assert mail.subject == "tracker daily digest for 5 December 2026: 2 updates"
    assert "AC-6 queried by the supplier" in mail.text
    assert "Their question: Which template?" in mail.text
    assert "AC-7 has evidence to review" in mail.text
    assert "https://evidence.example/refunds" in mail.text
    assert mail.html.count("<h2>") == 2
    assert sent_at_once.sent == 0
    assert (first.messages, first.sent, second.messages) == (1, 2, 0)


def test_optional_kinds_can_be_turned_off_and_required_ones_cannot(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    karen = actor(demo_engine, KAREN)
    with session_scope(demo_engine) as session, pytest.raises(Invalid) as refused:
        set_preferences(
            session, karen, choices={"criteria to confirm": "off", "sprint closed": "immediate"}
        )
    with session_scope(demo_engine) as session:
        set_preferences(session, karen, choices={"accreditation expiring": "off"})

    first = send(demo_engine)

    assert refused.value.problems == [
        "criteria to confirm: 'off' is not one of immediate, daily digest (it cannot be turned "
        "off)",
        "sprint closed: 'immediate' is not one of daily digest, off",
    ]
    received = {r.subject for r in smtp_server.inbox.to(KAREN)}
    assert not any("expires" in subject for subject in received)
    assert first.skipped > 0


def test_erasing_a_person_cancels_what_waits_for_them_and_removes_their_address(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    earlier = {n.id for n in notifications(demo_engine)}
    send_rb01_criterion(demo_engine, "Refused once")
    smtp_server.inbox.refuse_rcpt = [f"451 4.2.0 {KAREN} is over quota"]
    send(demo_engine)
    send_rb01_criterion(demo_engine, "Still waiting")
    admin = actor(demo_engine, ADMIN)
    with session_scope(demo_engine) as session:
        karen = session.exec(select(Person).where(Person.email == KAREN)).one()
        erase_person(session, admin, person_id=karen.id or 0)

    after = send(demo_engine, now=NOW + timedelta(hours=1))

    assert after.sent == 0 and smtp_server.inbox.received == []
    with Session(demo_engine) as session:
        outbox = repr(session.exec(select(Notification)).all())
        attempts = repr(session.exec(select(NotificationAttempt)).all())
        mine = session.exec(select(Notification).where(Notification.person_id == karen.id)).all()
    assert KAREN not in outbox and KAREN not in attempts
    assert "<recipient> is over quota" in attempts
    waiting = [n for n in mine if n.id not in earlier]
    assert len(waiting) == 2 and {(n.status, n.reason) for n in waiting} == {
        ("skipped", "the recipient was erased")
    }
    with session_scope(demo_engine) as session, pytest.raises(Conflict, match="erased"):
        resend(session, admin, notification_id=waiting[0].id or 0)


def test_preview_shows_what_someone_would_receive_and_keeps_nothing(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    before = notifications(demo_engine)
    with session_scope(demo_engine) as session:
        shown = preview(session, actor(demo_engine, ADMIN), email=KAREN)
    with session_scope(demo_engine) as session:
        own = preview(session, actor(demo_engine, KAREN), email=KAREN)
    with session_scope(demo_engine) as session, pytest.raises(NotFound):
        preview(session, actor(demo_engine, KAREN), email=OWNER)

    subjects = [m.subject for m in shown.immediate]
    assert any("AC-2 is overdue" in s for s in subjects)  # found by the clock, not kept
    assert [m.subject for m in own.immediate] == subjects
    assert notifications(demo_engine) == before
    assert smtp_server.inbox.received == []
