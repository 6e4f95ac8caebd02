"""What needs me, per role, on the demo programme (SQLite and PostgreSQL): each person's own open
work, most pressing first, with overdue flagged; board members get nothing to act on."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.support.roles import ADMIN, BOARD, OTHER_OWNER, OWNER, SUPPLIER
from tracker.services.auth.sign_in import Identity, sign_in
from tracker.services.auth.users import actor_for_email
from tracker.services.programme.needs_me import NeedsMe, needs_me

pytestmark = pytest.mark.db

#: a day the demo's dates are fixed against: CTAX-02 AC-3 (due 25 Nov) is overdue, RB-01 AC-4
#: (due 7 Dec) is not, Skyward's Cyber Essentials Plus expires within 30 days
TODAY = date(2026, 12, 1)
EASTVALE_OWNER = "aisha.okafor@eastvale.gov.uk"  # Eastvale owns CC-01 and CTAX-02


@pytest.fixture
def session(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine, expire_on_commit=False) as opened:
        yield opened


def of(session: Session, email: str) -> NeedsMe:
    return needs_me(session, actor_for_email(session, email), today=TODAY)


def listed(found: NeedsMe, key: str) -> list[tuple[str, str, bool]]:
    """(ref, first word of the item, overdue) of a section's items, in order."""
    items = found.section(key).items
    return [(r.ref, r.item.split(" ")[0], r.overdue) for r in items.itertuples()]


def test_a_supplier_contact_confirms_soonest_first_and_keeps_their_queries_in_sight(
    session: Session,
) -> None:
    found = of(session, SUPPLIER)
    assert [s.key for s in found.sections] == ["to_confirm", "evidence_requested", "open_queries"]
    assert listed(found, "to_confirm") == [("CTAX-02", "AC-3", True), ("RB-01", "AC-4", False)]
    assert listed(found, "evidence_requested") == [
        ("RB-01", "AC-2", True),
        ("CTAX-02", "AC-2", False),
    ]
    assert (
        "Rejected: The test ran against build 4.6"
        in found.section("evidence_requested").items.iloc[0]["detail"]
    )
    # the criterion Karen queried stays in her list, with her question, until the council answers
    [query] = found.section("open_queries").items.itertuples()
    assert (query.ref, query.item.split(" ")[0]) == ("CTAX-02", "AC-1")
    assert query.detail.startswith("You asked: Does 'reminder' include final notices?")
    assert query.detail.endswith("Waiting for the council to answer.")
    assert found.total == 5


def test_a_project_owner_sees_only_their_own_councils_work(session: Session) -> None:
    found = of(session, OWNER)
    assert [s.key for s in found.sections] == [
        "queries",
        "evidence",
        "overdue_confirmations",
        "waiting_on_supplier",
        "engagement_gaps",
    ]
    assert listed(found, "evidence") == [("RB-01", "AC-1", False)]
    assert listed(found, "waiting_on_supplier") == [
        ("RB-01", "AC-2", True),
        ("RB-01", "AC-4", False),
    ]
    assert {ref for s in found.sections for ref in s.items["ref"]} == {"RB-01"}


def test_another_owner_answers_queries_and_chases_overdue_confirmations(session: Session) -> None:
    found = of(session, EASTVALE_OWNER)
    [query] = found.section("queries").items.itertuples()
    assert (query.ref, query.item.split(" ")[0]) == ("CTAX-02", "AC-1")
    assert query.detail.startswith("The supplier asks: Does 'reminder' include final notices?")
    assert listed(found, "overdue_confirmations") == [("CTAX-02", "AC-3", True)]
    # an overdue confirmation is not listed twice
    assert ("CTAX-02", "AC-3", True) not in listed(found, "waiting_on_supplier")


def test_gaps_in_who_to_engage_are_the_owners_to_fill(session: Session) -> None:
    gaps = of(session, OTHER_OWNER).section("engagement_gaps").items
    assert list(gaps["ref"]) == ["MB-01"]
    assert gaps.iloc[0]["detail"] == "No active supplier-side contact for MB-01 at Discovery."


def test_an_admin_sees_expiries_blocked_gates_and_people_refused_at_sign_in(
    session: Session,
) -> None:
    found = of(session, ADMIN)
    assert [s.key for s in found.sections] == [
        "expiring_accreditations",
        "blocked_gates",
        "waiting_for_account",
    ]
    expiring = found.section("expiring_accreditations").items
    assert expiring.iloc[0]["ref"] == "Skyward Telecom Ltd"
    assert expiring.iloc[0]["detail"] == "Expires within 30 days (18 Dec 2026)."
    assert listed(found, "blocked_gates") == [("WA-01", "Open", False)]
    assert found.section("waiting_for_account").items.empty

    # Gareth Lewis is an Eastvale contact without an account: his refused sign-in points at him
    sign_in(session, Identity("gareth.lewis@eastvale.gov.uk", "Gareth", 1_790_000_000, None), ())
    session.commit()
    [waiting] = (
        needs_me(session, actor_for_email(session, ADMIN), today=date.today())
        .section("waiting_for_account")
        .items.itertuples()
    )
    assert (waiting.ref, waiting.item) == ("eastvale.gov.uk", "refused 1 time")
    assert "Gareth Lewis" in waiting.detail


def test_board_members_have_no_work_of_their_own_here(session: Session) -> None:
    found = of(session, BOARD)
    assert found.sections == [] and found.total == 0
