"""Email notifications in the app: each user chooses how each kind reaches them (required kinds
cannot be turned off) and sees what they would receive now; the admin sees what was sent to whom
and resends."""

from sqlalchemy import update
from sqlmodel import Session, select

from tests.support.roles import ADMIN, OWNER, SUPPLIER
from tracker.db import create_tracker_engine
from tracker.models import (
    AttemptOutcome,
    Notification,
    NotificationAttempt,
    NotificationPreference,
    NotificationStatus,
)

MINE = "pages/account/notifications.py"
CRITERIA = "pages/acceptance/criteria.py"
REVIEW = "pages/delivery/sprint_review.py"
SENT = "pages/admin/notifications.py"


def test_a_supplier_turns_an_optional_kind_off_but_cannot_turn_off_criteria(
    demo_app, demo_sqlite_url: str
) -> None:
    at = demo_app(SUPPLIER, MINE)
    required = at.radio(key="notify_criteria to confirm")
    optional = at.radio(key="notify_accreditation expiring")
    assert required.options == ["immediate", "daily digest"]
    assert optional.options == ["immediate", "daily digest", "off"]
    assert any(e.label.startswith("At once: RB-01") for e in at.expander)

    optional.set_value("off")
    next(b for b in at.button if b.label == "Save my notification settings").click().run()

    assert [s.value for s in at.success] == ["Saved: 1 setting(s) changed."]
    engine = create_tracker_engine(demo_sqlite_url)
    with Session(engine) as session:
        saved = session.exec(select(NotificationPreference)).all()
    engine.dispose()
    assert [(p.kind, p.delivery) for p in saved] == [("accreditation expiring", "off")]


def test_the_admin_sees_what_was_sent_to_whom_and_resends_a_failed_one(
    demo_app, demo_sqlite_url: str
) -> None:
    engine = create_tracker_engine(demo_sqlite_url)
    with Session(engine) as session:
        first_id = session.exec(select(Notification.id).order_by(Notification.id)).first()
        session.execute(
            update(Notification)
            .where(Notification.id == first_id)
            .values(status=NotificationStatus.failed, reason="550 mailbox unavailable")
        )
        session.commit()

    at = demo_app(ADMIN, SENT)
    at.selectbox(key="sent_status").set_value("failed").run()
    [table] = [f.value for f in at.dataframe if "Person id" in f.value.columns]
    assert table["Number"].tolist() == [first_id]
    assert table["Why not sent"].tolist() == ["550 mailbox unavailable"]
    assert "Karen" not in table.to_csv() and "@" not in table.to_csv()  # people by id
    next(b for b in at.button if b.label == "Resend it").click().run()

    assert [s.value for s in at.success] == [
        f"Notification #{first_id} goes again with the next tracker notify send."
    ]
    with Session(engine) as session:
        again = session.get(Notification, first_id)
        asked = session.exec(
            select(NotificationAttempt).where(NotificationAttempt.notification_id == first_id)
        ).all()
    engine.dispose()
    assert again is not None and (again.status, again.resend) == ("pending", True)
    assert [(a.outcome, a.by_user_id is not None) for a in asked] == [(AttemptOutcome.resend, True)]


def _chosen(at, key: str) -> str:
    box = at.selectbox(key=key)
    return box.format_func(box.value).split(" ")[0]


def test_an_emailed_link_opens_the_deliverable_it_names_when_the_reader_may_see_it(
    demo_app,
) -> None:
    # Tom's own deliverable is RB-01: the link to CTAX-02's criteria opens on CTAX-02
    owner = demo_app(OWNER, CRITERIA, query={"deliverable": "CTAX-02"})
    review = demo_app(OWNER, REVIEW, query={"deliverable": "CTAX-02"})
    # a link naming another supplier's deliverable opens nothing of it
    supplier = demo_app(SUPPLIER, REVIEW, query={"deliverable": "WB-01"})
    unlinked = demo_app(SUPPLIER, REVIEW)

    assert _chosen(owner, "criteria_deliverable") == "CTAX-02"
    assert _chosen(review, "review_deliverable") == "CTAX-02"
    assert _chosen(supplier, "review_deliverable") == _chosen(unlinked, "review_deliverable")
    assert "WB-01" not in supplier.selectbox(key="review_deliverable").options
