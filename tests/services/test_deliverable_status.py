"""Changing a deliverable's stage, RAG and target date: who may, what is required, what is kept."""

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tracker.errors import (
    Conflict,
    Invalid,
    NotAllowed,
)
from tracker.models import Deliverable, DeliverableStage, Stage
from tracker.services.auth.users import actor_for_email
from tracker.services.programme.status import (
    Status,
    current_status,
    editable_deliverables,
    status_history,
    update_status,
)

OWNER = "tom.hargreaves@northmoor.gov.uk"  # Northmoor: owns RB-01
OTHER_OWNER = "aisha.okafor@eastvale.gov.uk"
ADMIN = "priya.raman@northmoor.gov.uk"
BOARD = "joan.whitfield@westbridge.gov.uk"
SUPPLIER = "karen.stokes@ledgerline.co.uk"


def _rb01(session: Session) -> Deliverable:
    return session.exec(select(Deliverable).where(Deliverable.ref == "RB-01")).one()


def test_owner_moves_to_live_and_the_history_and_stage_dates_follow(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        actor = actor_for_email(session, OWNER)
        rb01 = _rb01(session)
        seen = current_status(session, actor, deliverable_id=rb01.id)
        assert (seen.stage, seen.rag) == ("Beta", "amber")
        wanted = Status("Live", "green", None, date(2027, 3, 1))
        assert update_status(
            session,
            actor,
            deliverable_id=rb01.id,
            seen=seen,
            wanted=wanted,
            today=date(2026, 12, 1),
        )
        session.commit()
        assert current_status(session, actor, deliverable_id=rb01.id) == wanted
        dates = {
            name: (row.actual_start, row.actual_end)
            for row, name in session.exec(
                select(DeliverableStage, Stage.name)
                .join(Stage, Stage.id == DeliverableStage.stage_id)
                .where(DeliverableStage.deliverable_id == rb01.id)
            )
        }
        assert dates["Beta"][1] == date(2026, 12, 1)
        assert dates["Live"][0] == date(2026, 12, 1)
        history = status_history(session, actor_for_email(session, BOARD), deliverable_id=rb01.id)
        assert history.iloc[0][["stage", "rag", "changed_by"]].tolist() == [
            "Beta -> Live",
            "amber -> green",
            "project owner",
        ]


def test_red_or_amber_needs_a_reason_and_stages_must_exist(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        actor = actor_for_email(session, OWNER)
        rb01 = _rb01(session)
        seen = current_status(session, actor, deliverable_id=rb01.id)
        with pytest.raises(Invalid, match="a reason is required"):
            update_status(
                session,
                actor,
                deliverable_id=rb01.id,
                seen=seen,
                wanted=Status("Beta", "red", "  ", None),
            )
        with pytest.raises(Invalid, match=r"not a stage of this programme \(Discovery"):
            update_status(
                session,
                actor,
                deliverable_id=rb01.id,
                seen=seen,
                wanted=Status("Gamma", "green", None, None),
            )
        with pytest.raises(Invalid, match="RAG must be red, amber or green"):
            update_status(
                session,
                actor,
                deliverable_id=rb01.id,
                seen=seen,
                wanted=Status("Beta", "blue", None, None),
            )
        assert status_history(session, actor, deliverable_id=rb01.id).empty


def test_a_change_made_meanwhile_is_not_overwritten(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        owner = actor_for_email(session, OWNER)
        admin = actor_for_email(session, ADMIN)
        rb01 = _rb01(session)
        seen_by_owner = current_status(session, owner, deliverable_id=rb01.id)
        seen_by_admin = current_status(session, admin, deliverable_id=rb01.id)
        update_status(
            session,
            admin,
            deliverable_id=rb01.id,
            seen=seen_by_admin,
            wanted=Status("Beta", "red", "x", None),
        )
        session.commit()
        with pytest.raises(Conflict, match="changed by someone else"):
            update_status(
                session,
                owner,
                deliverable_id=rb01.id,
                seen=seen_by_owner,
                wanted=Status("Beta", "green", None, None),
            )
        assert current_status(session, owner, deliverable_id=rb01.id).rag == "red"


@pytest.mark.parametrize("email", [OTHER_OWNER, BOARD, SUPPLIER])
def test_only_the_owning_council_or_an_admin_may_change_it(demo_engine: Engine, email) -> None:
    with Session(demo_engine) as session:
        actor = actor_for_email(session, email)
        rb01 = _rb01(session)
        assert rb01.id not in editable_deliverables(session, actor, programme_id=rb01.programme_id)
        seen = current_status(session, actor, deliverable_id=rb01.id)
        with pytest.raises(NotAllowed):
            update_status(
                session,
                actor,
                deliverable_id=rb01.id,
                seen=seen,
                wanted=Status("Live", "green", None, None),
            )


def test_what_each_role_may_change(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        programme_id = _rb01(session).programme_id
        owner = editable_deliverables(
            session, actor_for_email(session, OWNER), programme_id=programme_id
        )
        admin = editable_deliverables(
            session, actor_for_email(session, ADMIN), programme_id=programme_id
        )
    assert [label.split()[0] for label in owner.values()] == ["RB-01"]
    assert len(admin) == 7


def test_every_problem_with_a_status_is_named_at_once(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        actor = actor_for_email(session, OWNER)
        rb01 = _rb01(session)
        seen = current_status(session, actor, deliverable_id=rb01.id)
        with pytest.raises(Invalid) as refused:
            update_status(
                session,
                actor,
                deliverable_id=rb01.id,
                seen=seen,
                wanted=Status("Gamma", "red", "", None),
            )
        assert refused.value.headline == "RB-01 was not saved: 2 problems to fix"
        assert "a reason is required" in refused.value.problems[0]
        assert "'Gamma' is not a stage" in refused.value.problems[1]
