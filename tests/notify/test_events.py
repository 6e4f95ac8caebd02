"""Each event reaches the right people once, over a real SMTP conversation, on SQLite and
PostgreSQL: what they receive (recipients, subjects, bodies, links), and that a change rolled back
sends nothing."""

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.support.mail import (
    BASE_URL,
    CHLOE,
    IMRAN,
    KAREN,
    NADIA,
    NOW,
    TODAY,
    SmtpServer,
    actor,
    digest,
    drained,
    notifications,
    send,
)
from tests.support.roles import ADMIN, BOARD, OWNER
from tracker.db import session_scope
from tracker.metrics.rag import Dimension
from tracker.models import (
    Accreditation,
    CriterionMove,
    Deliverable,
    JiraSprint,
    NotificationKind,
    Organisation,
    Person,
    Programme,
    Role,
    User,
)
from tracker.policy import Actor
from tracker.services.acceptance.criteria import (
    Details,
    EvidenceLink,
    Saved,
    Wording,
    create_criterion,
    edit_criterion,
    make_move,
)
from tracker.services.assurance.accreditations import save_accreditations
from tracker.services.board.notes import period_notes, save_note
from tracker.services.board.period import Period
from tracker.services.board.publish import publish_report
from tracker.services.notify.delivery import send_due
from tracker.services.notify.outbox import sprints_closed

M = CriterionMove
DUE = date(2026, 12, 18)
AISHA = "aisha.okafor@eastvale.gov.uk"  # owns CTAX-02, whose issues share RB-01's board


def _give_account(engine: Engine, address: str, role: Role) -> None:
    with session_scope(engine) as session:
        person = session.exec(select(Person).where(Person.email == address)).one()
        session.add(User(person_id=person.id or 0, role=role))


def _rb01(session: Session) -> Deliverable:
    return session.exec(select(Deliverable).where(Deliverable.ref == "RB-01")).one()


def _move(
    session: Session,
    who: Actor,
    criterion_id: int,
    move: CriterionMove,
    row_version: int,
    comment: str | None = None,
    evidence: tuple[EvidenceLink, ...] = (),
) -> Saved:
    return make_move(
        session,
        who,
        criterion_id=criterion_id,
        move=move,
        expected_row_version=row_version,
        comment=comment,
        evidence=evidence,
    )


def _sent_criterion(engine: Engine, due: date = DUE) -> tuple[int, int]:
    """A new RB-01 criterion, due 18 December, sent to Ledgerline by its owner."""
    owner = actor(engine, OWNER)
    with session_scope(engine) as session:
        saved = create_criterion(
            session,
            owner,
            deliverable_id=_rb01(session).id or 0,
            wording=Wording(
                "Refunds within five days", "Given a credit, then a refund in 5 days", "S 2"
            ),
            details=Details(due_on=due),
        )
        sent = _move(session, owner, saved.criterion_id, M.send, saved.row_version)
    return sent.criterion_id, sent.row_version


def test_criteria_sent_reach_the_suppliers_responsible_and_accountable_once(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    _give_account(demo_engine, IMRAN, Role.supplier_contact)
    drained(demo_engine, smtp_server)
    inbox = smtp_server.inbox

    _sent_criterion(demo_engine)
    first = send(demo_engine)
    again = send(demo_engine)

    assert sorted(r.to for r in inbox.received) == [IMRAN, KAREN]
    assert (first.sent, again.sent) == (2, 0)
    mail = inbox.to(KAREN)[0]
    assert mail.sender == mail_env["TRACKER_MAIL_FROM"]
    assert mail.subject == (
        "RB-01 Shared revenues and benefits platform: AC-6 to confirm, due 18 December 2026"
    )
    assert "sent acceptance criterion AC-6 to your organisation to confirm" in mail.text
    assert "Refunds within five days: Given a credit, then a refund in 5 days" in mail.text
    assert f"Open the criteria waiting for you: {BASE_URL}/my-criteria" in mail.text
    assert f'<a href="{BASE_URL}/my-criteria">Open the criteria waiting for you</a>' in mail.html
    assert '<html lang="en-GB">' in mail.html and "<title>RB-01 Shared" in mail.html
    for other_supplier in ("Binwise", "Skyward", "Open Door", "Carers Link"):
        assert other_supplier not in mail.text


def test_criteria_reworded_after_sending_go_back_to_the_supplier_but_a_new_due_date_does_not(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    criterion_id, row_version = _sent_criterion(demo_engine)
    karen, owner = actor(demo_engine, KAREN), actor(demo_engine, OWNER)
    with session_scope(demo_engine) as session:
        confirmed = _move(session, karen, criterion_id, M.confirm, row_version)
    send(demo_engine)
    smtp_server.inbox.clear()

    with session_scope(demo_engine) as session:
        later = edit_criterion(
            session,
            owner,
            criterion_id=criterion_id,
            expected_row_version=confirmed.row_version,
            wording=Wording(
                "Refunds within five days", "Given a credit, then a refund in 5 days", "S 2"
            ),
            details=Details(due_on=date(2027, 1, 8)),
        )
    send(demo_engine)
    assert smtp_server.inbox.received == []  # planning details need no new confirmation

    with session_scope(demo_engine) as session:
        edit_criterion(
            session,
            owner,
            criterion_id=criterion_id,
            expected_row_version=later.row_version,
            wording=Wording("Refunds within three days", "Given a credit, then 3 days", "S 2"),
            details=Details(due_on=date(2027, 1, 8)),
            comment="Shorter, as agreed at the review",
        )
    send(demo_engine)

    [mail] = smtp_server.inbox.received
    assert mail.to == KAREN
    assert mail.subject.endswith("AC-6 to confirm, due 8 January 2027")
    assert "changed acceptance criterion AC-6, so it needs confirming again" in mail.text
    assert "Refunds within three days: Given a credit, then 3 days" in mail.text
    assert "Their note: Shorter, as agreed at the review" in mail.text


def test_a_query_and_evidence_reach_the_owner_with_the_question_and_the_links(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    criterion_id, row_version = _sent_criterion(demo_engine)
    karen, owner = actor(demo_engine, KAREN), actor(demo_engine, OWNER)
    with session_scope(demo_engine) as session:
        _move(session, karen, criterion_id, M.query, row_version, "Working days or calendar?")
    send(demo_engine)
    queried = smtp_server.inbox.to(OWNER)
    smtp_server.inbox.clear()

    with session_scope(demo_engine) as session:
        saved = _move(
            session, owner, criterion_id, M.send, row_version + 1, "Working days: see SOW 2."
        )
        saved = _move(session, karen, criterion_id, M.confirm, saved.row_version)
        _move(
            session,
            karen,
            criterion_id,
            M.submit_evidence,
            saved.row_version,
            evidence=(EvidenceLink("https://evidence.ledgerline.example/refunds", "Test run"),),
        )
    send(demo_engine)

    assert [r.subject for r in queried] == [
        "RB-01 Shared revenues and benefits platform: AC-6 queried by the supplier, "
        "due 18 December 2026"
    ]
    assert "Their question: Working days or calendar?" in queried[0].text
    assert "Karen Stokes (Ledgerline Systems Ltd) queried AC-6" in queried[0].text
    assert f"{BASE_URL}/criteria?deliverable=RB-01" in queried[0].text
    [evidence] = smtp_server.inbox.received
    assert evidence.to == OWNER and "AC-6 has evidence to review" in evidence.subject
    assert "Evidence: https://evidence.ledgerline.example/refunds (Test run)" in evidence.text
    # Karen acted on each sending before a run mailed it: asking her then would be noise
    to_confirm = notifications(demo_engine, kind=NotificationKind.criteria_to_confirm)
    mine = [n for n in to_confirm if n.facts["criterion_id"] == criterion_id]
    assert [(n.status, n.reason) for n in mine] == [
        ("skipped", "the criterion has moved on since")
    ] * 2


def test_a_change_rolled_back_queues_nothing(demo_engine: Engine) -> None:
    before = notifications(demo_engine)
    owner = actor(demo_engine, OWNER)
    with Session(demo_engine) as session:
        saved = create_criterion(
            session,
            owner,
            deliverable_id=_rb01(session).id or 0,
            wording=Wording("Never", "Rolled back", None),
        )
        _move(session, owner, saved.criterion_id, M.send, saved.row_version)
        session.rollback()

    assert notifications(demo_engine) == before


def test_a_gate_newly_blocked_reaches_admins_and_the_organisations_accountable_contact(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    admin = actor(demo_engine, ADMIN)
    with session_scope(demo_engine) as session:
        binwise = session.exec(
            select(Organisation).where(Organisation.name == "Binwise Digital Ltd")
        ).one()
        certificate = session.exec(
            select(Accreditation).where(Accreditation.organisation_id == binwise.id)
        ).one()
        save_accreditations(session, admin, rows=[], deleted=[certificate.id or 0])

    queued = notifications(demo_engine, kind=NotificationKind.gate_blocked, status="pending")
    send(demo_engine)
    send(demo_engine)

    received = smtp_server.inbox.received
    assert sorted({r.to for r in received}) == [NADIA, ADMIN]
    assert len(queued) == len(received) == 4  # WB-01 and MB-01, to each of them once
    subjects = sorted(r.subject for r in received if r.to == NADIA)
    assert subjects == [
        "MB-01 Missed bin reporting through the contact centre: gate blocked for Binwise "
        "Digital Ltd",
        "WB-01 Waste collection booking service: gate blocked for Binwise Digital Ltd",
    ]
    assert "lacks Cyber Essentials" in received[0].text
    assert f"{BASE_URL}/assurance" in received[0].text


def test_accreditations_expiring_within_60_then_30_days_reach_admins_and_the_organisation(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    # Binwise's Cyber Essentials expires on 19 January 2027: 45 days after the demo's day
    admin = actor(demo_engine, ADMIN)
    send(demo_engine)  # the demo's day: within 60 days
    send_due(demo_engine, admin, today=date(2026, 12, 19))  # 31 days: nothing new
    sixty = [r for r in smtp_server.inbox.received if "Binwise" in r.subject]
    smtp_server.inbox.clear()
    later = date(2026, 12, 21)
    send_due(demo_engine, admin, today=later)
    send_due(demo_engine, admin, today=later)
    send_due(demo_engine, admin, today=date(2027, 1, 18))  # the day before: nothing new

    subject = "Binwise Digital Ltd: Cyber Essentials expires on 19 January 2027"
    assert sorted(r.to for r in sixty) == [NADIA, ADMIN]
    assert {r.subject for r in sixty} == {subject}
    assert "expires in 45 days, on 19 January 2027" in sixty[0].text
    binwise = [r for r in smtp_server.inbox.received if "Binwise" in r.subject]
    assert sorted(r.to for r in binwise) == [NADIA, ADMIN]
    assert binwise[0].subject == subject
    assert "expires in 29 days, on 19 January 2027" in binwise[0].text


def test_a_criterion_past_due_reaches_the_supplier_then_the_owner_after_the_set_days(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str], monkeypatch
) -> None:
    """The owner hears only once the supplier has had TRACKER_OWNER_OVERDUE_DAYS more days."""
    monkeypatch.setenv("TRACKER_OWNER_OVERDUE_DAYS", "3")
    drained(demo_engine, smtp_server)
    criterion_id, _ = _sent_criterion(demo_engine, due=date(2026, 12, 4))
    admin = actor(demo_engine, ADMIN)

    def overdue_mail(day: date) -> list[tuple[str, str]]:
        smtp_server.inbox.clear()
        send_due(demo_engine, admin, today=day)
        return [
            (r.to, r.subject) for r in smtp_server.inbox.received if "AC-6 is overdue" in r.subject
        ]

    first_day = overdue_mail(date(2026, 12, 5))
    third_day = overdue_mail(date(2026, 12, 7))
    fourth_day = overdue_mail(date(2026, 12, 8))
    fifth_day = overdue_mail(date(2026, 12, 9))

    subject = (
        "RB-01 Shared revenues and benefits platform: AC-6 is overdue, it was due 4 December 2026"
    )
    assert first_day == [(KAREN, subject)]
    assert third_day == []
    assert fourth_day == [(OWNER, subject)]
    assert fifth_day == []
    queued = notifications(demo_engine, kind=NotificationKind.criterion_overdue)
    mine = [n for n in queued if n.facts["criterion_id"] == criterion_id]
    assert sorted(n.facts["audience"] for n in mine) == ["owner", "supplier"]


def test_a_sprint_closed_reaches_each_owners_digest_once_with_outcome_carry_over_and_whom_next(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    admin = actor(demo_engine, ADMIN)
    with session_scope(demo_engine) as session:
        sprint = session.exec(select(JiraSprint).where(JiraSprint.name == "RB Sprint 18")).one()
        # what a sync or an import calls when it sees the sprint close, twice over
        sprints_closed(session, admin, sprint_ids=[sprint.id or 0])
    with session_scope(demo_engine) as session:
        sprints_closed(session, admin, sprint_ids=[sprint.id or 0])

    at_once = send(demo_engine)
    first = digest(demo_engine)
    second = digest(demo_engine, now=NOW + timedelta(days=1))

    inbox = smtp_server.inbox
    assert at_once.sent == 0  # sprint news waits for the daily digest
    assert (first.messages, second.messages) == (len(inbox.received), 0)
    assert sorted(r.to for r in inbox.received) == [AISHA, OWNER]
    [mail] = inbox.to(OWNER)
    assert mail.subject == "tracker daily digest for 5 December 2026: 1 update"
    text = mail.text
    assert "RB-01 Shared revenues and benefits platform: RB Sprint 18 closed" in text
    assert (
        "Committed 7 issues (27 points); completed 5 issues (18 points); 2 added, 0 removed, "
        "3 not completed."
    ) in text
    assert "Carried over: RB-23 to backlog, RB-29 to RB Sprint 19, RB-57 to backlog." in text
    assert (
        "Whom to engage next: Karen Stokes (Ledgerline Systems Ltd), Imran Qureshi (Ledgerline "
        "Systems Ltd)."
    ) in " ".join(text.split())
    assert f"Open the sprint review of RB-01: {BASE_URL}/sprint-review?deliverable=RB-01" in text
    assert f'<a href="{BASE_URL}/sprint-review?deliverable=RB-01">' in mail.html
    assert mail.html.count("<h1>") == 1  # one update: its own heading
    [theirs] = inbox.to(AISHA)
    assert "CTAX-02 Council tax e-billing: RB Sprint 18 closed" in theirs.text
    assert "RB-01" not in theirs.text  # her own deliverable's figures, not Tom's


def test_the_demo_first_send_sends_the_time_based_ones_and_the_second_nothing_more(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    first = send(demo_engine)
    second = send(demo_engine)

    subjects = {(r.to, r.subject) for r in smtp_server.inbox.received}
    assert first.queued > 0 and first.sent == len(smtp_server.inbox.received)
    assert (second.queued, second.sent) == (0, 0)
    # overdue: Ledgerline's rejected RB-01 AC-2 (due 20 Nov) to Karen; the owner 7 days after
    overdue = "RB-01 Shared revenues and benefits platform: AC-2 is overdue, it was due 20 Nov"
    assert (KAREN, overdue + "ember 2026") in subjects
    assert (OWNER, overdue + "ember 2026") in subjects
    # Skyward's Cyber Essentials Plus expires 18 December: within 30 days of 5 December
    skyward = "Skyward Telecom Ltd: Cyber Essentials Plus expires on 18 December 2026"
    assert {(CHLOE, skyward), (ADMIN, skyward)} <= subjects
    assert len(subjects) == len(smtp_server.inbox.received)  # nobody got anything twice
    assert TODAY.isoformat() == "2026-12-05"


def test_a_board_pack_published_reaches_the_board_members(
    demo_engine: Engine, smtp_server: SmtpServer, mail_env: dict[str, str]
) -> None:
    drained(demo_engine, smtp_server)
    admin = actor(demo_engine, ADMIN)
    period = Period(date(2026, 11, 10), date(2026, 11, 23))
    with session_scope(demo_engine) as session:
        programme_id = session.exec(select(Programme.id)).one()
        for note in period_notes(
            session, admin, programme_id=programme_id, period=period
        ).itertuples():
            save_note(
                session,
                admin,
                deliverable_id=note.deliverable_id,
                period=period,
                summary="On plan.",
                next_period="More of the same.",
                declared={d.value: "amber" for d in Dimension},
            )
    with session_scope(demo_engine) as session:
        published = publish_report(
            session,
            admin,
            programme_id=programme_id,
            now=pd.Timestamp("2026-11-27 15:00", tz="UTC"),
        )
    send(demo_engine)

    received = smtp_server.inbox.received
    assert sorted(r.to for r in received) == [BOARD, "robert.osei@riverford.gov.uk"]
    assert received[0].subject == (
        "Board pack published: Marshland Shared Services Partnership, 10 Nov 2026 to 23 Nov 2026"
    )
    assert f"{BASE_URL}/board-pack" in received[0].text
    assert published.publication == 1
