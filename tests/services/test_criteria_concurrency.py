"""Two people editing one criterion: the second save is refused, never silently lost."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.support.criteria import build_world, new_criterion
from tracker.models import AcceptanceCriterion, CriterionMove, CriterionStatus
from tracker.services.acceptance import criteria
from tracker.services.acceptance.criteria import (
    Details,
    StaleCriterion,
    Wording,
    current_wording,
    edit_criterion,
    make_move,
)
from tracker.services.audit import verify_ledger

pytestmark = pytest.mark.db

THEIRS = Wording("Pay online", "Then the receipt is emailed", "SOW-1 4.2")
MINE = Wording("Pay online", "Then the receipt is shown on screen", "SOW-1 4.2")


def test_the_second_save_from_a_stale_read_is_refused(engine: Engine, session: Session) -> None:
    world = build_world(session)
    opened = new_criterion(session, world)  # both people open the criterion at this version
    session.close()
    with Session(engine) as first:
        edit_criterion(
            first,
            world.owner,
            criterion_id=opened.criterion_id,
            expected_row_version=opened.row_version,
            wording=THEIRS,
            details=Details(),
        )
        first.commit()
    with Session(engine) as second, pytest.raises(StaleCriterion) as refused:
        edit_criterion(
            second,
            world.admin,
            criterion_id=opened.criterion_id,
            expected_row_version=opened.row_version,
            wording=MINE,
            details=Details(),
        )
    assert "was changed by Olu (project owner, edit at" in str(refused.value)
    assert "Nothing was saved: your text is kept" in str(refused.value)
    with Session(engine) as check:
        assert current_wording(check, world.board, criterion_id=opened.criterion_id) == THEIRS
        # having seen their change, saving against the new row version replaces it on purpose
        edit_criterion(
            check,
            world.admin,
            criterion_id=opened.criterion_id,
            expected_row_version=refused.value.row_version,
            wording=MINE,
            details=Details(),
        )
        check.commit()
        assert current_wording(check, world.board, criterion_id=opened.criterion_id) == MINE
        assert verify_ledger(check, world.board).intact


def test_a_change_landing_between_read_and_write_is_caught(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version check in the UPDATE itself: the other person's save commits after the second
    writer read the criterion (and passed the explicit check) but before it writes."""
    world = build_world(session)
    opened = new_criterion(session, world)
    session.close()
    real_check = criteria._check_fresh

    def other_person_saves_now(s: Session, criterion: AcceptanceCriterion, expected: int) -> None:
        monkeypatch.setattr(criteria, "_check_fresh", real_check)
        with Session(engine) as first:
            edit_criterion(
                first,
                world.owner,
                criterion_id=opened.criterion_id,
                expected_row_version=opened.row_version,
                wording=THEIRS,
                details=Details(),
            )
            first.commit()
        real_check(s, criterion, expected)  # passes: this session read before that commit

    monkeypatch.setattr(criteria, "_check_fresh", other_person_saves_now)
    with Session(engine) as second, pytest.raises(StaleCriterion, match="was changed by Olu"):
        edit_criterion(
            second,
            world.admin,
            criterion_id=opened.criterion_id,
            expected_row_version=opened.row_version,
            wording=MINE,
            details=Details(),
        )
    with Session(engine) as check:
        criterion = check.get(AcceptanceCriterion, opened.criterion_id)
        assert current_wording(check, world.board, criterion_id=opened.criterion_id) == THEIRS
        assert criterion.version == 2
        assert verify_ledger(check, world.board).intact


def test_a_move_on_a_stale_read_is_refused_too(engine: Engine, session: Session) -> None:
    """The owner edits while the supplier, looking at the old wording, confirms: the supplier
    must not confirm a wording they have not seen."""
    world = build_world(session)
    draft = new_criterion(session, world)
    sent = make_move(
        session,
        world.owner,
        criterion_id=draft.criterion_id,
        move=CriterionMove.send,
        expected_row_version=draft.row_version,
    )
    session.commit()
    edit_criterion(
        session,
        world.owner,
        criterion_id=sent.criterion_id,
        expected_row_version=sent.row_version,
        wording=THEIRS,
        details=Details(),
    )
    session.commit()
    with pytest.raises(StaleCriterion):
        make_move(
            session,
            world.supplier,
            criterion_id=sent.criterion_id,
            move=CriterionMove.confirm,
            expected_row_version=sent.row_version,
        )
    session.rollback()
    assert session.get(AcceptanceCriterion, sent.criterion_id).status == CriterionStatus.sent
