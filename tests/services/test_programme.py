"""The programme overview's figures, per role, on the demo programme."""

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from tracker.services.auth.users import actor_for_email
from tracker.services.programme.overview import (
    deliverables_frame,
    headline_counts,
    list_programmes,
    stage_plan,
)

BOARD = "joan.whitfield@westbridge.gov.uk"
SKYWARD = "chloe.bennett@skywardtelecom.co.uk"


def test_staff_see_every_deliverable_with_its_last_good_sync(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        actor = actor_for_email(session, BOARD)
        (programme,) = list_programmes(session, actor)
        frame = deliverables_frame(session, actor, programme_id=programme.id)
    assert len(frame) == 7
    assert frame["last_sync"].notna().all()
    assert str(frame["last_sync"].dt.tz) == "UTC"
    row = frame.set_index("ref").loc["ASC-01"]
    assert (row["rag"], row["stage"], row["supplier"]) == ("red", "Beta", "Carers Link Trust")


def test_a_supplier_sees_only_what_their_organisation_supplies(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        actor = actor_for_email(session, SKYWARD)
        (programme,) = list_programmes(session, actor)
        frame = deliverables_frame(session, actor, programme_id=programme.id)
        plan = stage_plan(session, actor, programme_id=programme.id)
    assert list(frame["ref"]) == ["CC-01"]
    assert set(plan["ref"]) == {"CC-01"}


def test_headline_counts_deliverables_past_target_that_are_not_live(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        actor = actor_for_email(session, BOARD)
        (programme,) = list_programmes(session, actor)
        frame = deliverables_frame(session, actor, programme_id=programme.id)
    on_the_day = headline_counts(frame, date(2026, 11, 29))
    assert on_the_day == {"deliverables": 7, "red": 1, "amber": 2, "green": 4, "past_target": 0}
    # ASC-01 (Beta) is due 15 January 2027; WB-01 passed its date but is live
    later = headline_counts(frame, date(2027, 1, 16))
    assert later["past_target"] == 1
