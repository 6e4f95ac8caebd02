"""Wording changes make versions; sent criteria go back to the supplier; old versions stay."""

import pytest
from sqlmodel import Session, select

from tests.support.criteria import EVIDENCE, bring_to, build_world, new_criterion
from tracker.errors import Conflict, Invalid
from tracker.models import AcceptanceCriterion, CriterionMove, CriterionStatus, CriterionVersion
from tracker.services.acceptance.criteria import (
    Details,
    Wording,
    edit_criterion,
    make_move,
)

M, S = CriterionMove, CriterionStatus
pytestmark = pytest.mark.db


def _versions(session: Session, criterion_id: int) -> list[tuple[int, str]]:
    rows = session.exec(
        select(CriterionVersion.version, CriterionVersion.text)
        .where(CriterionVersion.criterion_id == criterion_id)
        .order_by(CriterionVersion.version)
    )
    return list(rows.all())


def test_editing_a_confirmed_criterion_needs_confirming_again(session: Session) -> None:
    world = build_world(session)
    confirmed = bring_to(session, world, S.confirmed)
    edited = edit_criterion(
        session,
        world.owner,
        criterion_id=confirmed.criterion_id,
        expected_row_version=confirmed.row_version,
        wording=Wording("Pay online", "Given x, when y, then z within 2 seconds", "SOW-1 4.2"),
        details=Details(),
        comment="Added the response time from the SoW",
    )
    session.commit()
    assert (edited.status, edited.version) == (S.sent, 2)
    assert _versions(session, confirmed.criterion_id) == [
        (1, "Given x, when y, then z"),
        (2, "Given x, when y, then z within 2 seconds"),
    ]
    # the supplier confirms version 2, then the lifecycle carries on as before
    again = make_move(
        session,
        world.supplier,
        criterion_id=edited.criterion_id,
        move=M.confirm,
        expected_row_version=edited.row_version,
    )
    assert (again.status, again.version) == (S.confirmed, 2)
    evidence = make_move(
        session,
        world.supplier,
        criterion_id=again.criterion_id,
        move=M.submit_evidence,
        expected_row_version=again.row_version,
        evidence=EVIDENCE,
    )
    accepted = make_move(
        session,
        world.owner,
        criterion_id=evidence.criterion_id,
        move=M.accept,
        expected_row_version=evidence.row_version,
    )
    assert (accepted.status, accepted.version) == (S.accepted, 2)


def test_a_draft_keeps_draft_and_its_versions(session: Session) -> None:
    world = build_world(session)
    draft = new_criterion(session, world)
    edited = edit_criterion(
        session,
        world.owner,
        criterion_id=draft.criterion_id,
        expected_row_version=draft.row_version,
        wording=Wording("Pay online", "Then it works", None),
        details=Details(),
    )
    assert (edited.status, edited.version) == (S.draft, 2)
    assert [v for v, _ in _versions(session, draft.criterion_id)] == [1, 2]


def test_detail_changes_need_no_new_confirmation(session: Session) -> None:
    world = build_world(session)
    confirmed = bring_to(session, world, S.confirmed)
    edited = edit_criterion(
        session,
        world.owner,
        criterion_id=confirmed.criterion_id,
        expected_row_version=confirmed.row_version,
        wording=Wording("Pay online", "Given x, when y, then z", "SOW-1 4.2"),
        details=Details(stage_id=world.stage_id, jira_keys=("rb-12", "RB-12", "RB-13")),
    )
    assert (edited.status, edited.version) == (S.confirmed, 1)
    criterion = session.get(AcceptanceCriterion, confirmed.criterion_id)
    assert criterion.jira_keys == ["RB-12", "RB-13"]


def test_accepted_criteria_are_closed_and_unchanged_edits_refused(session: Session) -> None:
    world = build_world(session)
    accepted = bring_to(session, world, S.accepted)
    with pytest.raises(Conflict, match="closed"):
        edit_criterion(
            session,
            world.owner,
            criterion_id=accepted.criterion_id,
            expected_row_version=accepted.row_version,
            wording=Wording("Pay online", "Something else"),
            details=Details(),
        )
    draft = new_criterion(session, world)
    with pytest.raises(Invalid, match="Nothing to save"):
        edit_criterion(
            session,
            world.owner,
            criterion_id=draft.criterion_id,
            expected_row_version=draft.row_version,
            wording=Wording("Pay online", "Given x, when y, then z", "SOW-1 4.2"),
            details=Details(),
        )


def test_bad_jira_keys_are_named(session: Session) -> None:
    world = build_world(session)
    draft = new_criterion(session, world)
    with pytest.raises(Invalid, match="NOT A KEY"):
        edit_criterion(
            session,
            world.owner,
            criterion_id=draft.criterion_id,
            expected_row_version=draft.row_version,
            wording=Wording("Pay online", "x"),
            details=Details(jira_keys=("not a key",)),
        )


def test_every_problem_with_a_criterion_is_named_at_once(session: Session) -> None:
    world = build_world(session)
    draft = new_criterion(session, world)
    with pytest.raises(Invalid) as refused:
        edit_criterion(
            session,
            world.owner,
            criterion_id=draft.criterion_id,
            expected_row_version=draft.row_version,
            wording=Wording("", "  "),
            details=Details(jira_keys=("not a key",)),
        )
    assert refused.value.headline == "Nothing was saved: 3 problems to fix"
    assert [p.split(" ")[0] for p in refused.value.problems] == ["Give", "Write", "Not"]
