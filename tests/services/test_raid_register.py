"""The RAID log's rules, on SQLite and PostgreSQL: scores, the board's attention, the heatmap,
who sees and changes what, bad input, and the ledger behind every change."""

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from tests.support.raid import TODAY, build_raid_world, count_items, raise_item, risk
from tracker.errors import Conflict, Invalid, NotAllowed, NotFound
from tracker.metrics.raid import heatmap_counts
from tracker.models import AuditEntry, RaidItem
from tracker.services.audit import verify_ledger
from tracker.services.raid.register import (
    add_item,
    item_by_code,
    needs_board_attention,
    open_risk_register,
    raid_frame,
    risk_occurred,
    update_item,
)

REVIEW = (TODAY + timedelta(days=30)).isoformat()


def entries(session: Session) -> int:
    return len(session.exec(select(AuditEntry)).all())


def test_score_is_likelihood_times_impact_and_high_needs_the_board(session: Session) -> None:
    world = build_raid_world(session)
    raise_item(
        session, world, world.owner, likelihood=4, impact=5, owner="olu@example.org",
        review_date=REVIEW,
    )  # fmt: skip
    frame = raid_frame(session, world.owner, programme_id=world.programme_id, today=TODAY)
    row = frame.iloc[0]
    assert (row["code"], row["score"], row["high"], row["needs_attention"]) == (
        "R-1", 20, True, True,
    )  # fmt: skip
    assert row["attention"] == "score 20"
    assert row["owner"] == "Olu Owner"


def test_a_score_of_15_or_more_needs_an_owner_and_a_review_date(session: Session) -> None:
    world = build_raid_world(session)
    with pytest.raises(Invalid) as caught:
        add_item(
            session, world.owner, programme_id=world.programme_id,
            values=risk(likelihood=5, impact=3),
        )  # fmt: skip
    assert caught.value.problems == [
        "a risk scoring 15 (15 or more) needs an owner",
        "a risk scoring 15 (15 or more) needs a review date",
    ]
    session.rollback()
    assert count_items(session) == 0 and entries(session) == 0


def test_bad_input_names_every_problem_and_writes_nothing(session: Session) -> None:
    world = build_raid_world(session)
    with pytest.raises(Invalid) as caught:
        add_item(
            session,
            world.admin,
            programme_id=world.programme_id,
            values=risk(
                likelihood=6, impact=0, owner_organisation="Outside Trust", score=99,
                review_date="next week", response="hope",
            ),
        )  # fmt: skip
    assert caught.value.problems == [
        "owner_organisation 'Outside Trust' is not an organisation of this programme",
        "likelihood '6' must be a whole number from 1 to 5",
        "impact '0' must be a whole number from 1 to 5",
        "review_date 'next week' is not a date (YYYY-MM-DD)",
        "response 'hope' must be one of avoid, reduce, transfer, accept",
    ]
    assert str(caught.value).startswith("the new item was not saved: 5 problems")
    session.rollback()
    assert count_items(session) == 0 and entries(session) == 0


def test_the_score_is_never_typed(session: Session) -> None:
    world = build_raid_world(session)
    with pytest.raises(Invalid, match=r"score is computed, never typed: 2 x 3 = 6, not 9"):
        add_item(session, world.owner, programme_id=world.programme_id, values=risk(score=9))
    raise_item(session, world, world.owner, score=6)  # the right product is accepted


def test_heatmap_counts_equal_the_register(session: Session) -> None:
    world = build_raid_world(session)
    ratings = [(1, 1), (2, 3), (2, 3), (5, 5), (4, 2), (3, 5)]
    for likelihood, impact in ratings:
        raise_item(
            session, world, world.owner, likelihood=likelihood, impact=impact,
            owner="olu@example.org", review_date=REVIEW,
        )  # fmt: skip
    raise_item(session, world, world.owner, kind="issue", likelihood=None, impact=None)
    update_item(
        session, world.owner, programme_id=world.programme_id, code="R-6",
        values={"status": "closed"},
    )  # fmt: skip
    register = raid_frame(session, world.owner, programme_id=world.programme_id, today=TODAY)
    grid = heatmap_counts(register)
    open_risks = register[(register["kind"] == "risk") & (register["status"] == "open")]
    assert int(grid.to_numpy().sum()) == len(open_risks) == 5
    for (likelihood, impact), group in open_risks.groupby(["likelihood", "impact"]):
        assert grid.loc[likelihood, impact] == len(group)
    assert grid.loc[2, 3] == 2 and grid.loc[3, 5] == 0  # R-6 closed
    assert list(grid.index) == [5, 4, 3, 2, 1] and list(grid.columns) == [1, 2, 3, 4, 5]


def test_needs_the_board_s_attention_escalated_high_or_overdue(session: Session) -> None:
    world = build_raid_world(session)
    raise_item(session, world, world.owner, title="Calm")
    raise_item(session, world, world.owner, title="Escalated", escalation="joint committee")
    raise_item(session, world, world.owner, title="Overdue", review_date="2026-11-01")
    raise_item(
        session, world, world.owner, title="High", likelihood=5, impact=4,
        owner="olu@example.org", review_date=REVIEW,
    )  # fmt: skip
    attention = needs_board_attention(
        session, world.board, programme_id=world.programme_id, today=TODAY
    )
    assert list(attention["title"]) == ["High", "Overdue", "Escalated"]
    assert list(attention["attention"]) == [
        "score 20",
        "review overdue since 01 Nov 2026",
        "escalated to joint committee",
    ]
    top = open_risk_register(session, world.board, programme_id=world.programme_id, today=TODAY)
    assert list(top["score"]) == [20, 6, 6, 6]


def test_suppliers_see_and_raise_only_on_deliverables_they_supply(session: Session) -> None:
    world = build_raid_world(session)
    raise_item(session, world, world.owner, title="Ours")  # D-1: Supplier Ltd's
    raise_item(session, world, world.owner, title="Rival's", deliverable="D-3")
    raise_item(session, world, world.owner, title="Programme-wide", deliverable=None)
    mine = raid_frame(session, world.supplier, programme_id=world.programme_id)
    assert list(mine["title"]) == ["Ours"]
    rivals = raid_frame(session, world.rival, programme_id=world.programme_id)
    assert list(rivals["title"]) == ["Rival's"]
    with pytest.raises(NotFound):
        item_by_code(session, world.supplier, programme_id=world.programme_id, code="R-2")
    with pytest.raises(Invalid, match="deliverable 'D-3': no deliverable of this programme"):
        add_item(
            session, world.supplier, programme_id=world.programme_id,
            values=risk(deliverable="D-3", owner_organisation="Supplier Ltd"),
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        add_item(
            session, world.supplier, programme_id=world.programme_id,
            values=risk(deliverable=None, owner_organisation="Supplier Ltd"),
        )  # fmt: skip
    raised = add_item(
        session, world.supplier, programme_id=world.programme_id,
        values=risk(title="Test environment late", owner_organisation="Supplier Ltd"),
    )  # fmt: skip
    assert raised.number == 4
    with pytest.raises(NotAllowed):  # the council's item on their deliverable: read only
        update_item(
            session, world.supplier, programme_id=world.programme_id, code="R-1",
            values={"likelihood": 1},
        )  # fmt: skip


def test_owners_edit_their_council_s_items_board_members_read(session: Session) -> None:
    world = build_raid_world(session)
    raise_item(
        session, world, world.admin, deliverable="E-1", owner_organisation="Eastshire Council"
    )
    with pytest.raises(NotAllowed):
        update_item(
            session, world.owner, programme_id=world.programme_id, code="R-1",
            values={"impact": 4},
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        add_item(session, world.board, programme_id=world.programme_id, values=risk())
    raise_item(session, world, world.owner)
    saved = update_item(
        session, world.owner, programme_id=world.programme_id, code="R-2", values={"impact": 4}
    )
    assert saved[0].impact == 4


def test_a_risk_that_occurs_becomes_an_issue_linked_to_it(session: Session) -> None:
    world = build_raid_world(session)
    item = raise_item(session, world, world.owner, impact=4, escalation="programme board")
    issue = risk_occurred(
        session, world.owner, programme_id=world.programme_id, code="R-1",
        row_version=item.row_version,
    )  # fmt: skip
    session.commit()
    frame = raid_frame(session, world.board, programme_id=world.programme_id, today=TODAY)
    by_code = frame.set_index("code")
    assert by_code.loc["R-1", "status"] == "occurred"
    assert issue.kind == "issue" and by_code.loc["I-1", "raised_from"] == "R-1"
    assert (by_code.loc["I-1", "priority"], by_code.loc["I-1", "escalation"]) == (
        "high", "programme board",
    )  # fmt: skip
    with pytest.raises(Invalid, match="R-1 occurred and became an issue"):
        update_item(
            session, world.owner, programme_id=world.programme_id, code="R-1",
            values={"status": "open"},
        )  # fmt: skip
    with pytest.raises(Invalid, match="closing an issue needs its resolution"):
        update_item(
            session, world.owner, programme_id=world.programme_id, code="I-1",
            values={"status": "closed"},
        )  # fmt: skip


def test_a_stale_edit_is_refused(session: Session) -> None:
    world = build_raid_world(session)
    item = raise_item(session, world, world.owner)
    seen = item.row_version
    update_item(
        session, world.admin, programme_id=world.programme_id, code="R-1",
        values={"likelihood": 3}, row_version=seen,
    )  # fmt: skip
    session.commit()
    with pytest.raises(Conflict, match="changed by someone else"):
        update_item(
            session, world.owner, programme_id=world.programme_id, code="R-1",
            values={"likelihood": 4}, row_version=seen,
        )  # fmt: skip


def test_every_change_is_in_the_ledger_and_it_verifies(session: Session) -> None:
    world = build_raid_world(session)
    raise_item(session, world, world.owner, deliverable=None)
    update_item(
        session, world.owner, programme_id=world.programme_id, code="R-1",
        values={"likelihood": 4, "mitigation": "Run a trial migration"},
    )  # fmt: skip
    risk_occurred(session, world.admin, programme_id=world.programme_id, code="R-1")
    session.commit()
    ledger = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [(e.subject, e.action, e.from_status, e.to_status) for e in ledger] == [
        ("raid item", "raise", None, "open"),
        ("raid item", "update", "open", "open"),
        ("raid item", "update", "open", "occurred"),
        ("raid item", "raise", None, "open"),
    ]
    assert ledger[1].comment == "likelihood: 2 -> 4; mitigation changed"
    assert ledger[0].deliverable_id == 0  # programme-level
    check = verify_ledger(session, world.admin)
    assert check.intact, check.problems
    # An edit behind tracker's back is found.
    session.execute(text("UPDATE raid_item SET impact = 5 WHERE number = 1 AND kind = 'risk'"))
    session.commit()
    check = verify_ledger(session, world.admin)
    assert [str(p) for p in check.problems] == [
        f"entry 3: raid item {ledger[0].subject_id} was changed since its last entry"
    ]


def test_filters_by_deliverable_organisation_and_kind(session: Session) -> None:
    world = build_raid_world(session)
    raise_item(session, world, world.owner, title="On D-1")
    raise_item(session, world, world.owner, title="On D-3", deliverable="D-3")
    raise_item(
        session, world, world.admin, title="Eastshire's", deliverable="E-1",
        owner_organisation="Eastshire Council",
    )  # fmt: skip
    raise_item(session, world, world.owner, title="Assumed", kind="assumption",
               likelihood=None, impact=None, due_date=date(2027, 1, 1))  # fmt: skip
    frame = raid_frame(
        session, world.board, programme_id=world.programme_id, deliverable_ids=[world.d3]
    )
    assert list(frame["title"]) == ["On D-3"]
    east = session.exec(select(RaidItem.owner_org_id).where(RaidItem.title == "Eastshire's")).one()
    frame = raid_frame(
        session, world.board, programme_id=world.programme_id, organisation_ids=[east]
    )
    assert list(frame["title"]) == ["Eastshire's"]
    frame = raid_frame(session, world.board, programme_id=world.programme_id, kinds=["assumption"])
    assert list(frame["code"]) == ["A-1"]
