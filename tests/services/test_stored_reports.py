"""Closed sprints' reports stored at sync time give the very figures worked out live.

The sprint review, the burndown page and velocity read a closed sprint's report from
jira_sprint_report (tracker/services/delivery/stored_reports.py) once a sync or import has
written its board. Each test here reads every figure both ways, stored and live (the stored rows
dropped in the same transaction), on the demo for whole boards and for each deliverable's
issues (tests/jira/test_stored_reports.py does so on every shape of tests/jira/shapes), and
checks that a sync touching a sprint's issues works it out again while one that does not leaves
it alone.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from tests.support.stored_reports import assert_same, both_ways, every_review, figures
from tracker.models import (
    ChangelogEvent,
    JiraBoard,
    JiraIssue,
    JiraSprint,
    StoredSprintReport,
)
from tracker.policy import OPERATOR
from tracker.services.auth.users import actor_for_email
from tracker.services.delivery.sprints import board_velocity, sprint_report_for
from tracker.services.delivery.stored_reports import _store_sprint_reports

pytestmark = pytest.mark.db

ADMIN = "priya.raman@northmoor.gov.uk"
LEDGERLINE = "karen.stokes@ledgerline.co.uk"  # a supplier contact: sees only their deliverables


def test_the_demo_reads_the_same_figures_stored_as_live(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        stored_count = session.execute(
            select(func.count()).select_from(StoredSprintReport)
        ).scalar_one()
        closed = session.execute(
            select(func.count()).select_from(JiraSprint).where(JiraSprint.complete_at.is_not(None))  # type: ignore[union-attr]
        ).scalar_one()
        assert stored_count == closed  # the import worked out every closed sprint
        for email in (ADMIN, LEDGERLINE):
            actor = actor_for_email(session, email)
            stored, live = both_ways(session, lambda a=actor: every_review(session, a))
            assert len(stored) > 10
            assert_same(stored, live, email)


def stored_rows(session: Session) -> dict[int, datetime]:
    return dict(
        session.execute(select(StoredSprintReport.sprint_id, StoredSprintReport.computed_at)).all()
    )


def test_a_sync_works_out_again_only_the_sprints_whose_issues_changed(
    demo_engine: Engine,
) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    with Session(demo_engine) as session:
        before = stored_rows(session)
        board_id = session.execute(select(JiraBoard.id).order_by(JiraBoard.id)).scalars().first()
        assert board_id is not None
        # nothing changed since: nothing is worked out again
        assert _store_sprint_reports(session, board_id, later) == 0
        # one issue of one closed sprint changes in Jira (it moves to an unmapped status, and a
        # changelog item says so before the sprint's close)
        sprint = (
            session.execute(
                select(JiraSprint)
                .where(JiraSprint.board_id == board_id, JiraSprint.complete_at.is_not(None))  # type: ignore[union-attr]
                .order_by(JiraSprint.start_at)
            )
            .scalars()
            .first()
        )
        assert sprint is not None and sprint.start_at is not None
        stored = session.execute(
            select(StoredSprintReport).where(StoredSprintReport.sprint_id == sprint.id)
        ).scalar_one()
        issue_id = stored.report["rows"]["issue_id"][0]
        session.add(
            ChangelogEvent(
                issue_id=issue_id,
                at=sprint.start_at + timedelta(hours=1),
                field="status",
                from_value="1",
                to_value="99999",
                history_id=999999,
                item_index=0,
            )
        )
        session.execute(
            update(JiraIssue).where(JiraIssue.id == issue_id).values(updated_at=later)  # type: ignore[arg-type]
        )
        assert _store_sprint_reports(session, board_id, later) == 1
        after = stored_rows(session)
        assert after[sprint.id] == later
        assert {k: v for k, v in after.items() if k != sprint.id} == {
            k: v for k, v in before.items() if k != sprint.id
        }
        # and the stored figures are the live ones for the changed history
        stored_review, live_review = both_ways(
            session,
            lambda: figures(
                sprint_report_for(session, OPERATOR, board=board_id, sprint_jira_id=sprint.jira_id)
            ),
        )
        assert_same(stored_review, live_review, "changed sprint")


def test_a_change_to_the_board_works_out_every_closed_sprint_again(demo_engine: Engine) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    with Session(demo_engine) as session:
        board = session.execute(select(JiraBoard).order_by(JiraBoard.id)).scalars().first()
        assert board is not None
        closed = session.execute(
            select(func.count())
            .select_from(StoredSprintReport)
            .where(StoredSprintReport.board_id == board.id)
        ).scalar_one()
        board.estimate_field_id = None  # the board stops estimating: every figure counts issues
        session.add(board)
        session.flush()
        assert _store_sprint_reports(session, board.id or 0, later) == closed
        velocity = both_ways(session, lambda: board_velocity(session, OPERATOR, board_id=board.id))
        assert_same(*velocity, "velocity in issues")
