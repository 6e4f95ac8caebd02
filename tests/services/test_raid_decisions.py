"""The decision log on SQLite and PostgreSQL: proposed -> decided -> superseded or reversed, a
decided decision never edited, who records and who reads, and the ledger behind it."""

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tests.support.raid import build_raid_world
from tracker.errors import Conflict, Invalid, NotAllowed, NotFound
from tracker.services.audit import verify_ledger
from tracker.services.raid.decisions import (
    decide,
    decision_by_code,
    decisions_frame,
    decisions_needed,
    edit_decision,
    propose_decision,
    supersede,
)

MINUTE = {
    "outcome": "Go live with Eastshire first",
    "body": "programme board",
    "decided_on": "2026-11-20",
    "minute_ref": "PB-2026-11 item 4",
}


def test_proposed_decided_then_superseded_links_the_new_decision(session: Session) -> None:
    world = build_raid_world(session)
    pid = world.programme_id
    propose_decision(
        session, world.owner, programme_id=pid,
        values={"title": "Order of go-live", "deliverable": "D-1", "needed_by": "2026-12-10"},
    )  # fmt: skip
    propose_decision(session, world.admin, programme_id=pid, values={"title": "Hosting"})
    assert list(decisions_needed(session, world.board, programme_id=pid)["code"]) == [
        "D-1",
        "D-2",
    ]
    decided = decide(session, world.owner, programme_id=pid, code="D-1", values=MINUTE)
    assert (decided.status, decided.body, str(decided.decided_on)) == (
        "decided", "programme board", "2026-11-20",
    )  # fmt: skip
    assert list(decisions_needed(session, world.board, programme_id=pid)["code"]) == ["D-2"]
    new = supersede(
        session, world.owner, programme_id=pid, code="D-1",
        values={**MINUTE, "outcome": "Go live with both councils together",
                "decided_on": "2026-11-27", "minute_ref": "PB-2026-12 item 2"},
    )  # fmt: skip
    session.commit()
    log = decisions_frame(session, world.board, programme_id=pid).set_index("code")
    assert log.loc["D-1", "status"] == "superseded" and log.loc["D-1", "replaced_by"] == "D-3"
    assert log.loc["D-3", "replaces"] == "D-1" and log.loc["D-3", "status"] == "decided"
    assert new.title == "Order of go-live" and log.loc["D-3", "deliverable"] == "D-1"
    reversed_by = supersede(
        session, world.owner, programme_id=pid, code="D-3", reverse=True,
        values={**MINUTE, "title": "Go-live order left to each council"},
    )  # fmt: skip
    assert reversed_by.number == 4
    assert decision_by_code(session, world.board, programme_id=pid, code="D-3").status == (
        "reversed"
    )
    check = verify_ledger(session, world.admin)
    assert check.intact and check.entries == 7, check.problems


def test_a_decided_decision_is_never_edited(session: Session) -> None:
    world = build_raid_world(session)
    pid = world.programme_id
    propose_decision(session, world.owner, programme_id=pid, values={"title": "Hosting"})
    decide(session, world.owner, programme_id=pid, code="D-1", values=MINUTE)
    session.commit()
    with pytest.raises(Conflict, match="a decided decision is never edited, only superseded"):
        edit_decision(
            session, world.admin, programme_id=pid, code="D-1", values={"title": "Changed"}
        )
    with pytest.raises(Conflict, match="never edited"):
        decide(session, world.admin, programme_id=pid, code="D-1", values=MINUTE)
    session.rollback()
    assert decision_by_code(session, world.admin, programme_id=pid, code="D-1").title == "Hosting"
    # Changed behind tracker's back, the ledger says so.
    session.execute(text("UPDATE decision SET outcome = 'Something else'"))
    session.commit()
    assert not verify_ledger(session, world.admin).intact


def test_recording_a_decision_needs_every_part_of_the_minute(session: Session) -> None:
    world = build_raid_world(session)
    pid = world.programme_id
    propose_decision(session, world.owner, programme_id=pid, values={"title": "Hosting"})
    with pytest.raises(Invalid) as caught:
        decide(
            session, world.owner, programme_id=pid, code="D-1",
            values={"decided_on": "2099-01-01"},
        )  # fmt: skip
    assert caught.value.problems == [
        "outcome (what was decided) is required",
        "body (the body that decided, e.g. programme board) is required, up to 100 characters",
        "minute_ref (the minute reference) is required, up to 100 characters",
        "decided_on 2099-01-01 is in the future",
    ]
    with pytest.raises(Conflict, match="only a decided decision can be superseded"):
        supersede(session, world.owner, programme_id=pid, code="D-1", values=MINUTE)


def test_bad_proposals_name_every_problem(session: Session) -> None:
    world = build_raid_world(session)
    with pytest.raises(Invalid) as caught:
        propose_decision(
            session, world.admin, programme_id=world.programme_id,
            values={"title": "", "deliverable": "Z-9", "owner_organisation": "Outside Trust",
                    "needed_by": "soon", "raid_item": "R-7"},
        )  # fmt: skip
    assert caught.value.problems == [
        "title is required, up to 200 characters",
        "deliverable 'Z-9': no deliverable of this programme that you can see",
        "raid_item 'R-7': no RAID item with that code that you can see",
        "owner_organisation 'Outside Trust' is not an organisation of this programme",
        "needed_by 'soon' is not a date (YYYY-MM-DD)",
    ]


def test_who_records_and_who_reads_decisions(session: Session) -> None:
    world = build_raid_world(session)
    pid = world.programme_id
    for actor in (world.board, world.supplier):
        with pytest.raises(NotAllowed):
            propose_decision(session, actor, programme_id=pid, values={"title": "Mine"})
    propose_decision(
        session, world.owner, programme_id=pid, values={"title": "On D-1", "deliverable": "D-1"}
    )
    propose_decision(
        session, world.owner, programme_id=pid, values={"title": "On D-3", "deliverable": "D-3"}
    )
    propose_decision(session, world.owner, programme_id=pid, values={"title": "Programme"})
    assert list(decisions_frame(session, world.supplier, programme_id=pid)["code"]) == ["D-1"]
    assert list(decisions_frame(session, world.rival, programme_id=pid)["code"]) == ["D-2"]
    with pytest.raises(NotFound):
        decision_by_code(session, world.supplier, programme_id=pid, code="D-2")
    with pytest.raises(NotAllowed):  # Eastshire's decision is not the council's to record
        propose_decision(
            session, world.owner, programme_id=pid,
            values={"title": "Theirs", "owner_organisation": "Eastshire Council"},
        )  # fmt: skip
