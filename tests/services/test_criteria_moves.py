"""Who may make each move on a criterion, from which status, and what each move needs.

The expectations are written out here from the issue, not derived from the service's tables, so
a change to either shows up as a failing row.
"""

import pytest
from sqlmodel import Session

from tests.support.criteria import EVIDENCE, ROLE_NAMES, World, bring_to, build_world, comment_for
from tracker.errors import Conflict, Invalid, NotAllowed, NotFound
from tracker.models import AcceptanceCriterion, CriterionMove, CriterionStatus
from tracker.services.acceptance.criteria import (
    Details,
    EvidenceLink,
    Saved,
    Wording,
    create_criterion,
    edit_criterion,
    make_move,
)

M, S = CriterionMove, CriterionStatus

#: who may make each move (on the deliverable of the world: owned by the owner's council, supplied
#: by the supplier's organisation). Admins make the council's moves, never the supplier's.
WHO: dict[CriterionMove, set[str]] = {
    M.create: {"admin", "owner"},
    M.edit: {"admin", "owner"},
    M.send: {"admin", "owner"},
    M.confirm: {"supplier"},
    M.query: {"supplier"},
    M.submit_evidence: {"supplier"},
    M.accept: {"admin", "owner"},
    M.reject: {"admin", "owner"},
}
#: the statuses each move starts from
FROM: dict[CriterionMove, set[CriterionStatus]] = {
    M.edit: set(S) - {S.accepted},
    M.send: {S.draft, S.queried},
    M.confirm: {S.sent},
    M.query: {S.sent},
    M.submit_evidence: {S.confirmed, S.rejected},
    M.accept: {S.evidence_submitted},
    M.reject: {S.evidence_submitted},
}


def attempt(session: Session, world: World, who: str, move: CriterionMove, saved: Saved) -> Saved:
    actor = world.by_name(who)
    if move is M.create:
        return create_criterion(
            session, actor, deliverable_id=world.deliverable_id, wording=Wording("New", "Then ok")
        )
    if move is M.edit:
        return edit_criterion(
            session,
            actor,
            criterion_id=saved.criterion_id,
            expected_row_version=saved.row_version,
            wording=Wording("Pay online", "Given x, when y, then z and w", "SOW-1 4.2"),
            details=Details(),
        )
    return make_move(
        session,
        actor,
        criterion_id=saved.criterion_id,
        move=move,
        expected_row_version=saved.row_version,
        comment=comment_for(move),
        evidence=EVIDENCE,
    )


@pytest.mark.db
@pytest.mark.parametrize("who", ROLE_NAMES)
def test_only_the_named_roles_make_each_move(session: Session, who: str) -> None:
    """Every move, tried by this role on a criterion in a status the move starts from."""
    world = build_world(session)
    outcomes: dict[CriterionMove, str] = {}
    for move in M:
        # start where the supplier can see the criterion (a draft is the council's own)
        start = {M.create: S.draft, M.edit: S.sent, M.send: S.queried}.get(move) or min(
            FROM[move], key=list(S).index
        )
        saved = bring_to(session, world, start)
        try:
            attempt(session, world, who, move, saved)
            session.commit()
            outcomes[move] = "allowed"
        except NotAllowed:
            outcomes[move] = "refused"
        except NotFound:
            outcomes[move] = "not visible"
        if outcomes[move] != "allowed":
            session.rollback()
            assert session.get(AcceptanceCriterion, saved.criterion_id).status == start
    # criteria of a deliverable another supplier supplies are not even visible to them
    refusal = "not visible" if who == "other_supplier" else "refused"
    expected = {move: "allowed" if who in WHO[move] else refusal for move in M}
    if who == "other_supplier":
        expected[M.create] = "refused"  # adding needs no criterion to see
    assert outcomes == expected


@pytest.mark.db
@pytest.mark.parametrize("status", list(S), ids=lambda s: s.name)
def test_each_move_only_from_its_statuses(session: Session, status: CriterionStatus) -> None:
    world = build_world(session)
    saved = bring_to(session, world, status)
    for move in FROM:
        who = sorted(WHO[move])[-1]  # "owner" or "supplier"
        if status in FROM[move]:
            attempt(session, world, who, move, saved)
        else:
            # a draft is invisible to the supplier; otherwise the status is what is wrong
            invisible = status is S.draft and who == "supplier"
            with pytest.raises(NotFound if invisible else Conflict):
                attempt(session, world, who, move, saved)
        session.rollback()


@pytest.mark.db
def test_board_members_and_other_councils_read_only(session: Session) -> None:
    world = build_world(session)
    saved = bring_to(session, world, S.draft)
    for who in ("board", "other_owner"):
        with pytest.raises(NotAllowed, match="may not add acceptance criteria"):
            create_criterion(
                session,
                world.by_name(who),
                deliverable_id=world.deliverable_id,
                wording=Wording("T", "x"),
            )
        with pytest.raises(NotAllowed, match="send to supplier"):
            make_move(
                session,
                world.by_name(who),
                criterion_id=saved.criterion_id,
                move=M.send,
                expected_row_version=saved.row_version,
            )


@pytest.mark.db
@pytest.mark.parametrize(
    ("status", "who", "move", "needs"),
    [
        (S.sent, "supplier", M.query, "the question"),
        (S.evidence_submitted, "owner", M.reject, "the reason"),
        (S.queried, "owner", M.send, "your answer"),
    ],
)
def test_query_reject_and_answer_need_a_comment(
    session: Session, status: CriterionStatus, who: str, move: CriterionMove, needs: str
) -> None:
    world = build_world(session)
    saved = bring_to(session, world, status)
    actor = world.by_name(who)
    with pytest.raises(Invalid, match=needs):
        make_move(
            session,
            actor,
            criterion_id=saved.criterion_id,
            move=move,
            expected_row_version=saved.row_version,
            comment="  ",
        )
    after = make_move(
        session,
        actor,
        criterion_id=saved.criterion_id,
        move=move,
        expected_row_version=saved.row_version,
        comment="why",
    )
    assert after.status is {M.query: S.queried, M.reject: S.rejected, M.send: S.sent}[move]


@pytest.mark.db
@pytest.mark.parametrize(
    "links",
    [[], [EvidenceLink("javascript:alert(1)")], [EvidenceLink("file:///etc/passwd")]],
    ids=["none", "javascript", "file"],
)
def test_evidence_must_be_web_links(session: Session, links: list[EvidenceLink]) -> None:
    world = build_world(session)
    saved = bring_to(session, world, S.confirmed)
    with pytest.raises(Invalid):
        make_move(
            session,
            world.supplier,
            criterion_id=saved.criterion_id,
            move=M.submit_evidence,
            expected_row_version=saved.row_version,
            evidence=links,
        )


@pytest.mark.db
def test_moves_offered_match_the_rules(session: Session) -> None:
    world = build_world(session)
    saved = bring_to(session, world, S.sent)
    assert saved.moves == (M.edit,)  # the owner, who just sent it
    confirmed = make_move(
        session,
        world.supplier,
        criterion_id=saved.criterion_id,
        move=M.confirm,
        expected_row_version=saved.row_version,
    )
    assert confirmed.moves == (M.submit_evidence,)
