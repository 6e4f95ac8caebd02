"""Declared dependencies on SQLite and PostgreSQL: health from dates, done ones dropping out, a
cycle flagged, the organisation matrix, who declares and who reads, bad input."""

import pytest
from sqlmodel import Session

from tests.support.raid import build_raid_world
from tracker.errors import Invalid, NotAllowed
from tracker.services.audit import verify_ledger
from tracker.services.raid.dependencies import (
    declare_dependency,
    deliverable_dependency_health,
    dependency_cycles,
    dependency_frame,
    dependency_matrix,
    update_dependency,
)


def declare(session: Session, world, actor=None, **values) -> None:
    declare_dependency(
        session, actor or world.admin, programme_id=world.programme_id, values=values
    )
    session.commit()


def test_health_from_the_provider_s_date_against_the_need(session: Session) -> None:
    world = build_raid_world(session)
    # E-1's target date is 2027-01-15, D-3's 2027-03-01.
    declare(session, world, consumer="D-1", provider="E-1", description="Shared address API",
            needed_by="2027-01-10")  # fmt: skip
    declare(session, world, consumer="D-2", provider="E-1", description="Same API",
            needed_by="2027-02-01")  # fmt: skip
    declare(session, world, consumer="D-3", provider_organisation="Supplier Ltd",
            kind="environment", description="Test environment", needed_by="2027-01-10",
            expected_by="2027-01-10")  # fmt: skip
    declare(session, world, consumer="D-2", provider_organisation="Charity", kind="data feed",
            description="Referral feed", needed_by="2027-01-10")  # fmt: skip
    declare(session, world, consumer="D-1", provider_organisation="Rival Ltd", kind="contract",
            description="Licence novation", needed_by="2027-01-10", status="done")  # fmt: skip
    rated = dependency_frame(session, world.board, programme_id=world.programme_id)
    by_code = rated.set_index("code")
    assert by_code["health"].to_dict() == {
        "DEP-1": "red",
        "DEP-2": "green",
        "DEP-3": "amber",
        "DEP-4": "amber",
    }  # DEP-5 is done: it drops out
    assert by_code.loc["DEP-1", "why"] == "the provider's date is after it is needed"
    assert by_code.loc["DEP-4", "why"] == "the provider has no date"
    assert list(rated["health"]) == ["red", "amber", "amber", "green"]  # worst first
    matrix = dependency_matrix(session, world.board, programme_id=world.programme_id)
    assert matrix.loc["Council", "Eastshire Council"] == "red"  # the worst of red and green
    assert matrix.loc["Council", "Supplier Ltd"] == "amber"
    per = deliverable_dependency_health(session, world.board, programme_id=world.programme_id)
    d1 = per.set_index("deliverable").loc["D-1"]
    assert (d1["red"], d1["open"], d1["worst"], d1["in_cycle"]) == (1, 1, "red", False)
    assert per.set_index("deliverable").loc["E-1", "worst"] is None
    done = dependency_frame(
        session, world.board, programme_id=world.programme_id, include_done=True
    )
    assert done.set_index("code").loc["DEP-5", "health"] == "done"


def test_a_cycle_a_b_a_is_flagged(session: Session) -> None:
    world = build_raid_world(session)
    declare(session, world, consumer="D-1", provider="D-3", description="Address API",
            needed_by="2027-01-10")  # fmt: skip
    declare(session, world, consumer="D-3", provider="D-1", description="Payments feed",
            needed_by="2027-01-10")  # fmt: skip
    declare(session, world, consumer="D-2", provider="D-1", description="Not a loop",
            needed_by="2027-01-10")  # fmt: skip
    rated = dependency_frame(session, world.board, programme_id=world.programme_id)
    assert rated.set_index("code")["in_cycle"].to_dict() == {
        "DEP-1": True,
        "DEP-2": True,
        "DEP-3": False,
    }
    assert dependency_cycles(rated) == ["D-1 waits on D-3", "D-3 waits on D-1"]


def test_only_the_waiting_council_declares_and_suppliers_read_their_own(
    session: Session,
) -> None:
    world = build_raid_world(session)
    with pytest.raises(NotAllowed):
        declare(session, world, world.owner, consumer="E-1", provider="D-1",
                description="Eastshire waits", needed_by="2027-01-10")  # fmt: skip
    for actor in (world.board, world.supplier):
        with pytest.raises(NotAllowed):
            declare(session, world, actor, consumer="D-1", provider="D-3",
                    description="x", needed_by="2027-01-10")  # fmt: skip
    declare(session, world, world.owner, consumer="D-1", provider="D-2",
            description="Charity's referral API", needed_by="2027-01-10")  # fmt: skip
    declare(session, world, world.owner, consumer="D-3", provider="D-2",
            description="Rival waits on the charity", needed_by="2027-01-10")  # fmt: skip
    seen = dependency_frame(session, world.supplier, programme_id=world.programme_id)
    assert list(seen["code"]) == ["DEP-1"]  # D-1 is Supplier Ltd's; D-3 is the rival's
    seen = dependency_frame(session, world.rival, programme_id=world.programme_id)
    assert list(seen["code"]) == ["DEP-2"]
    update_dependency(
        session, world.owner, programme_id=world.programme_id, code="DEP-1",
        values={"status": "done"},
    )  # fmt: skip
    session.commit()
    assert verify_ledger(session, world.admin).intact


def test_bad_dependencies_name_every_problem(session: Session) -> None:
    world = build_raid_world(session)
    with pytest.raises(Invalid) as caught:
        declare(session, world, consumer="D-1", provider="D-1",
                provider_organisation="Outside Trust", needed_by="", kind="wish")  # fmt: skip
    assert caught.value.problems == [
        "provider_organisation 'Outside Trust' is not an organisation of this programme",
        "name either a provider deliverable or a provider organisation, not both",
        "D-1 cannot wait on itself",
        "kind 'wish' must be one of deliverable, data feed, environment, contract, other",
        "description is required, up to 500 characters",
        "needed_by (the date it is needed) is required",
    ]
