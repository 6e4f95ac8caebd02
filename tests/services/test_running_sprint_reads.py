"""A running sprint's review reads only the issues that can have been in the sprint (and their
sub-tasks), not its whole board: every figure is the one the whole board's frames give, whole
and per deliverable, with each counting option."""

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.support.stored_reports import assert_same, figures
from tracker.errors import TrackerError
from tracker.metrics.sprint_report import ReportOptions
from tracker.models import Deliverable
from tracker.policy import OPERATOR
from tracker.services.delivery import frames, sprints
from tracker.services.delivery.sprints import (
    board_sprints,
    deliverable_boards,
    review_boards,
    sprint_report_for,
)

pytestmark = pytest.mark.db

NOW = pd.Timestamp("2026-11-27 15:00", tz="UTC")
OPTIONS = [
    ReportOptions(),
    ReportOptions(include_subtasks=True),
    ReportOptions(done_at_start="include"),
]


def _running_reviews(session: Session) -> dict[str, Any]:
    found: dict[str, Any] = {}
    shown_on = {
        d: {b.id for b in deliverable_boards(session, OPERATOR, deliverable_id=d)}
        for d in session.execute(select(Deliverable.id)).scalars()
    }
    for board in review_boards(session, OPERATOR):
        deliverables = [d for d, boards in shown_on.items() if board.id in boards]
        running = [
            s
            for s in board_sprints(session, OPERATOR, board_id=board.id)
            if s.complete is None and s.started
        ]
        for sprint in running:
            for options in OPTIONS:
                for deliverable_id in [None, *deliverables]:
                    where = f"{board.label} {sprint.name} {options} deliverable {deliverable_id}"
                    try:
                        review = sprint_report_for(
                            session,
                            OPERATOR,
                            board=board.id,
                            sprint_jira_id=sprint.id,
                            options=options,
                            deliverable_id=deliverable_id,
                            now=NOW,
                        )
                    except TrackerError as exc:
                        found[where] = str(exc)
                    else:
                        found[where] = {**figures(review), "standing": review.standing}
    return found


def test_a_running_sprint_reads_only_its_issues_and_its_figures_do_not_move(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(demo_engine) as session:
        narrow = _running_reviews(session)
        monkeypatch.setattr(
            sprints, "_sprint_frames", lambda s, board_id, _: frames._board_frames(s, board_id)
        )
        whole = _running_reviews(session)
        board = review_boards(session, OPERATOR)[0]
        sprint = next(
            s
            for s in board_sprints(session, OPERATOR, board_id=board.id)
            if s.complete is None and s.started
        )
        read = frames._sprint_frames(session, board.id, sprint.id)
        every = frames._board_frames(session, board.id)
    assert sum(isinstance(v, dict) for v in narrow.values()) >= 6
    assert_same(narrow, whole, "running sprints")
    assert 0 < len(read.issues) < len(every.issues)
