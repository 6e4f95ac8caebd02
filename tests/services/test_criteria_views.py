"""Who reads which criteria, and what each view says about them."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from tests.support.criteria import bring_to, build_world, new_criterion
from tracker.errors import NotAllowed
from tracker.models import (
    AcceptanceCriterion,
    CriterionStatus,
    DeliverableStage,
    JiraSite,
    JiraSprint,
)
from tracker.services.acceptance.criteria import Details, Wording, edit_criterion
from tracker.services.acceptance.views import (
    criteria_frame,
    programme_criteria,
    versions_frame,
    waiting_for_supplier,
)

S = CriterionStatus
pytestmark = pytest.mark.db


def test_suppliers_wait_only_on_their_sent_confirmed_and_rejected_criteria(
    session: Session,
) -> None:
    world = build_world(session)
    for status in S:
        bring_to(session, world, status)
    waiting = waiting_for_supplier(session, world.supplier)
    assert sorted(waiting["status"]) == sorted([S.sent.value, S.confirmed.value, S.rejected.value])
    moves = dict(zip(waiting["status"], waiting["moves"], strict=True))
    assert moves[S.sent.value] == ["confirm", "query"]
    assert moves[S.rejected.value] == ["submit evidence"]
    assert waiting_for_supplier(session, world.other_supplier).empty
    assert waiting_for_supplier(session, world.owner).empty
    assert waiting_for_supplier(session, world.admin).empty


def test_drafts_are_the_councils_own(session: Session) -> None:
    world = build_world(session)
    new_criterion(session, world)
    bring_to(session, world, S.sent)
    assert criteria_frame(session, world.owner, deliverable_id=world.deliverable_id)[
        "status"
    ].tolist() == [
        S.draft.value,
        S.sent.value,
    ]
    assert criteria_frame(session, world.supplier, deliverable_id=world.deliverable_id)[
        "status"
    ].tolist() == [S.sent.value]
    assert len(criteria_frame(session, world.board, deliverable_id=world.deliverable_id)) == 2


def test_the_board_view_is_for_staff(session: Session) -> None:
    world = build_world(session)
    bring_to(session, world, S.sent)
    deliverable_programme = 1
    assert len(programme_criteria(session, world.board, programme_id=deliverable_programme)) == 1
    with pytest.raises(NotAllowed):
        programme_criteria(session, world.supplier, programme_id=deliverable_programme)


def test_due_date_falls_back_to_the_sprint_end_then_the_stage_end(session: Session) -> None:
    world = build_world(session)
    site = JiraSite(name="s", url="https://jira.example.org", kind="cloud")
    session.add(site)
    session.flush()
    sprint = JiraSprint(
        site_id=site.id,
        jira_id=5,
        name="Sprint 5",
        state="active",
        end_at=datetime(2026, 12, 7, 9, tzinfo=UTC),
    )
    session.add(sprint)
    session.add(
        DeliverableStage(
            deliverable_id=world.deliverable_id,
            stage_id=world.stage_id,
            planned_end=date(2027, 1, 15),
        )
    )
    session.commit()
    own = new_criterion(session, world)
    by_sprint = new_criterion(session, world)
    by_stage = new_criterion(session, world)
    for saved, details in [
        (own, Details(due_on=date(2026, 12, 1), sprint_id=sprint.id)),
        (by_sprint, Details(sprint_id=sprint.id, stage_id=world.stage_id)),
        (by_stage, Details(stage_id=world.stage_id)),
    ]:
        edit_criterion(
            session,
            world.owner,
            criterion_id=saved.criterion_id,
            expected_row_version=saved.row_version,
            wording=Wording("Pay online", "Given x, when y, then z", "SOW-1 4.2"),
            details=details,
        )
    session.commit()
    frame = criteria_frame(session, world.owner, deliverable_id=world.deliverable_id)
    assert frame["due"].tolist() == [date(2026, 12, 1), date(2026, 12, 7), date(2027, 1, 15)]
    assert frame["sprint"].tolist()[:2] == ["Sprint 5", "Sprint 5"]


def test_old_versions_stay_readable(session: Session) -> None:
    world = build_world(session)
    sent = bring_to(session, world, S.sent)
    edit_criterion(
        session,
        world.owner,
        criterion_id=sent.criterion_id,
        expected_row_version=sent.row_version,
        wording=Wording("Pay online", "Then v2"),
        details=Details(),
    )
    versions = versions_frame(session, world.board, deliverable_id=world.deliverable_id)
    assert versions[["version", "text", "current"]].values.tolist() == [
        [1, "Given x, when y, then z", False],
        [2, "Then v2", True],
    ]
    assert session.get(AcceptanceCriterion, sent.criterion_id).version == 2
