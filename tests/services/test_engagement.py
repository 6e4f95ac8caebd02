"""Editing engagement maps: every row checked, exactly one Accountable per side and stage, and the
RACI matrix read the same way as 'who to engage now'."""

import pandas as pd
import pytest
from sqlmodel import Session, func, select

from tests.support.stakeholders import World, build_world, engage
from tracker.errors import NotAllowed
from tracker.models import Deliverable, Engagement
from tracker.services.engagement.maps import (
    engagement_frame,
    map_deliverables,
    power_interest,
    raci_matrix,
    save_engagements,
)
from tracker.services.programme.overview import stage_plan
from tracker.services.validation import RowEdit, RowsRejected


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def row(
    number: int, world: World, person: str, raci: str, side: str, stage=None, **more
) -> RowEdit:
    values = {
        "deliverable": "D-1",
        "stage": stage,
        "email": f"{person.lower()}@example.org",
        "raci": raci,
        "side": side,
        "power": 3,
        "interest": 3,
        **more,
    }
    return RowEdit(number, values)


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Engagement)).one()


def problems(excinfo) -> list[tuple[int, str]]:
    return [(p.row, p.message) for p in excinfo.value.problems]


def test_a_valid_map_is_saved(session, world):
    written = save_engagements(
        session,
        world.owner,
        rows=[
            row(1, world, "Sam", "a", "supplier", escalation_order="1", channel="Phone"),
            row(2, world, "Sue", "r/c", "supplier", stage="Alpha"),
            row(3, world, "Olu", "A", "council"),
        ],
    )
    session.commit()
    assert written == 3
    frame = engagement_frame(session, world.admin, programme_id=world.programme_id).set_index(
        "name"
    )
    assert frame.loc["Sam Supplier", "raci"] == "A"
    assert frame.loc["Sam Supplier", "channel"] == "phone"
    assert frame.loc["Sam Supplier", "escalation_order"] == 1
    assert frame.loc["Sue Supplier", "raci"] == "RC"
    assert frame.loc["Sue Supplier", "stage"] == "Alpha"
    assert frame.loc["Olu Owner", "stage"] == "All stages"


def test_every_bad_row_is_reported_and_nothing_is_written(session, world):
    with pytest.raises(RowsRejected) as rejected:
        save_engagements(
            session,
            world.owner,
            rows=[
                row(1, world, "Sam", "X", "supplier"),
                row(2, world, "Nobody", "R", "vendor"),
                row(3, world, "Sue", "R", "supplier", stage="Gamma", power=6, interest="x"),
                row(4, world, "Sue", "R", "supplier", escalation_order="0", channel="pigeon"),
                RowEdit(5, {"stage": None, "raci": "R", "side": "supplier", "power": 3}),
            ],
        )
    found = problems(rejected)
    assert (1, "RACI 'X' must be one or more of R, A, C, I") in found
    assert (2, "no contact with email 'nobody@example.org'") in found
    assert any(r == 2 and m.startswith("side 'vendor' must be one of") for r, m in found)
    assert (3, "stage 'Gamma' is not a stage of this programme") in found
    assert (3, "power '6' must be a whole number 1-5") in found
    assert (3, "interest 'x' must be a whole number 1-5") in found
    assert (4, "escalation order '0' must be a whole number from 1") in found
    assert any(r == 4 and m.startswith("channel 'pigeon'") for r, m in found)
    assert (5, "deliverable is required") in found
    assert (5, "person (their email) is required") in found
    assert count(session) == 0


def test_two_accountables_on_one_side_at_one_stage_are_refused(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier")
    with pytest.raises(RowsRejected) as rejected:
        save_engagements(session, world.owner, rows=[row(7, world, "Sue", "A", "supplier", "Beta")])
    assert problems(rejected) == [
        (
            7,
            "D-1 would have 2 Accountables on the supplier side at Beta (Sam Supplier, "
            "Sue Supplier); each side has exactly one",
        )
    ]
    assert count(session) == 1


def test_one_accountable_per_side_so_council_and_supplier_each_have_one(session, world):
    save_engagements(
        session,
        world.owner,
        rows=[row(1, world, "Sam", "A", "supplier"), row(2, world, "Olu", "RA", "council")],
    )
    assert count(session) == 2


def test_a_persons_stage_row_may_replace_their_own_accountability(session, world):
    """Sam is accountable at every stage; at Beta his own row makes him only consulted, so Sue
    may be accountable there."""
    engage(session, world, world.d1, "Sam", "A", "supplier")
    save_engagements(
        session,
        world.owner,
        rows=[
            row(1, world, "Sam", "C", "supplier", "Beta"),
            row(2, world, "Sue", "A", "supplier", "Beta"),
        ],
    )
    session.commit()
    assert count(session) == 3


def test_accountability_may_move_between_people_in_one_save(session, world):
    sam = engage(session, world, world.d1, "Sam", "A", "supplier")
    sue = engage(session, world, world.d1, "Sue", "R", "supplier")
    save_engagements(
        session,
        world.owner,
        rows=[
            RowEdit(1, {**row(1, world, "Sam", "R", "supplier").values}, sam.id),
            RowEdit(2, {**row(2, world, "Sue", "A", "supplier").values}, sue.id),
        ],
    )
    session.commit()
    frame = engagement_frame(session, world.admin, programme_id=world.programme_id).set_index(
        "name"
    )
    assert frame.loc["Sue Supplier", "raci"] == "A"


def test_the_same_person_and_stage_twice_is_refused(session, world):
    with pytest.raises(RowsRejected) as rejected:
        save_engagements(
            session,
            world.owner,
            rows=[row(1, world, "Sam", "R", "supplier"), row(2, world, "Sam", "C", "supplier")],
        )
    assert problems(rejected) == [(2, "the same deliverable, stage and person as row 1")]


def test_an_import_row_without_id_updates_the_matching_engagement(session, world):
    engage(session, world, world.d1, "Sam", "R", "supplier", stage="Alpha")
    save_engagements(session, world.owner, rows=[row(1, world, "Sam", "A", "supplier", "Alpha")])
    session.commit()
    assert count(session) == 1
    assert session.exec(select(Engagement.raci)).one() == "A"


def test_deleting_rows(session, world):
    sam = engage(session, world, world.d1, "Sam", "A", "supplier")
    save_engagements(session, world.owner, rows=[], deleted=[sam.id])
    session.commit()
    assert count(session) == 0


def test_who_may_change_a_map(session, world):
    with pytest.raises(NotAllowed):
        save_engagements(session, world.board, rows=[row(1, world, "Sam", "A", "supplier")])
    with pytest.raises(NotAllowed):
        save_engagements(session, world.supplier, rows=[row(1, world, "Sam", "A", "supplier")])
    sam = engage(session, world, world.d1, "Sam", "A", "supplier")
    editable = map_deliverables(session, world.owner, programme_id=world.programme_id)["editable"]
    assert editable.all()
    assert not map_deliverables(session, world.board, programme_id=world.programme_id)[
        "editable"
    ].any()
    with pytest.raises(NotAllowed):
        save_engagements(session, world.board, rows=[], deleted=[sam.id])


def test_raci_matrix_is_deliverable_by_person_by_stage(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier")
    engage(session, world, world.d1, "Sue", "C", "supplier")
    engage(session, world, world.d1, "Sue", "R", "supplier", stage="Beta")
    engage(session, world, world.d2, "Chris", "A", "charity", stage="Alpha")
    frame = engagement_frame(session, world.admin, programme_id=world.programme_id)
    plan = pd.DataFrame(
        {
            "ref": ["D-1", "D-1", "D-1", "D-2", "D-2"],
            "stage": ["Discovery", "Alpha", "Beta"] * 1 + ["Discovery", "Alpha"],
        }
    )
    matrix = raci_matrix(frame, plan, ["Discovery", "Alpha", "Beta"]).set_index(["ref", "name"])
    assert matrix.loc[("D-1", "Sam Supplier")][["Discovery", "Alpha", "Beta"]].tolist() == ["A"] * 3
    assert matrix.loc[("D-1", "Sue Supplier")][["Discovery", "Alpha", "Beta"]].tolist() == [
        "C",
        "C",
        "R",
    ]
    assert matrix.loc[("D-2", "Chris Charity")][["Discovery", "Alpha", "Beta"]].tolist() == [
        "",
        "A",
        "",
    ]
    assert stage_plan(session, world.admin, programme_id=world.programme_id).empty


def test_power_interest_quadrants(session, world):
    frame = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "organisation": "o",
            "side": "council",
            "raci": "I",
            "power": [5, 5, 2, 1],
            "interest": [5, 1, 3, 2],
        }
    )
    quadrants = dict(
        zip(frame["name"], power_interest(frame)["quadrant"].sort_index(), strict=True)
    )
    assert quadrants == {
        "a": "Manage closely",
        "b": "Keep satisfied",
        "c": "Keep informed",
        "d": "Monitor",
    }


def test_an_edit_may_not_make_a_second_row_for_the_same_person_and_stage(session, world):
    engage(session, world, world.d1, "Sam", "A", "supplier", stage="Alpha")
    sue = engage(session, world, world.d1, "Sue", "R", "supplier", stage="Alpha")
    with pytest.raises(RowsRejected) as rejected:
        save_engagements(
            session,
            world.owner,
            rows=[RowEdit(1, row(1, world, "Sam", "R", "supplier", "Alpha").values, sue.id)],
        )
    assert problems(rejected) == [(1, "Sam Supplier already has a row for this stage")]


def test_a_row_of_a_map_the_actor_may_not_change_cannot_be_moved_into_one_they_may(session, world):
    chris = engage(session, world, world.d2, "Chris", "A", "charity")
    deliverable = session.get(Deliverable, world.d2)
    deliverable.owner_org_id = world.orgs["Rival Ltd"]
    session.add(deliverable)
    session.commit()
    moved = RowEdit(1, row(1, world, "Chris", "A", "charity").values, chris.id)
    with pytest.raises(RowsRejected) as rejected:
        save_engagements(session, world.owner, rows=[moved])
    assert problems(rejected) == [(1, "you may not change the engagement map of D-2")]
