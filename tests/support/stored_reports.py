"""Reading every closed sprint's figures both ways, from the reports stored at sync time and
worked out live, for tests/services/test_stored_reports.py and tests/jira/test_stored_reports.py."""

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.models import Deliverable, StoredSprintReport
from tracker.policy import OPERATOR, Actor
from tracker.services.delivery.sprints import (
    SprintReview,
    board_sprints,
    board_velocity,
    deliverable_boards,
    review_boards,
    sprint_report_for,
)


def figures(review: SprintReview) -> dict[str, Any]:
    """Everything a review shows, as comparable values."""
    report = review.report
    return {
        "totals": [
            report.committed,
            report.completed,
            report.added,
            report.removed,
            report.not_completed,
        ],
        "measure": report.measure,
        "close": report.close,
        "rows": report.issues,
        "outcomes": report.outcomes,
        "issues": review.issues,
        "carry_over": review.carry_over,
        "burndown": review.burndown,
        "guideline": review.guideline,
        "choices": dict(review.choices),
        "warnings": review.warnings,
    }


def assert_same(stored: Any, live: Any, where: str) -> None:
    if isinstance(stored, pd.DataFrame):
        pd.testing.assert_frame_equal(stored, live, obj=where)
    elif isinstance(stored, dict):
        assert stored.keys() == live.keys(), where
        for key in stored:
            assert_same(stored[key], live[key], f"{where} {key}")
    else:
        assert stored == live, where


def both_ways(session: Session, read: Callable[[], Any]) -> tuple[Any, Any]:
    """`read()` with the stored reports, then without them (dropped, then rolled back)."""
    assert session.execute(select(func.count()).select_from(StoredSprintReport)).scalar_one()
    stored = read()
    session.execute(delete(StoredSprintReport))
    live = read()
    session.rollback()
    return stored, live


def every_review(session: Session, actor: Actor) -> dict[str, Any]:
    """Each closed sprint's review of each board the actor sees, whole and per deliverable, and
    each board's velocity; a refusal is kept as its message."""
    found: dict[str, Any] = {}
    shown_on = {
        deliverable_id: {
            b.id for b in deliverable_boards(session, OPERATOR, deliverable_id=deliverable_id)
        }
        for deliverable_id in session.execute(select(Deliverable.id)).scalars()
    }
    for board in review_boards(session, OPERATOR):
        deliverables = [d for d, boards in shown_on.items() if board.id in boards]
        try:
            sprints = board_sprints(session, actor, board_id=board.id)
        except TrackerError as exc:
            found[f"{board.label}"] = str(exc)
            continue
        for sprint in (s for s in sprints if s.complete is not None):
            for deliverable_id in [None, *deliverables]:
                where = f"{board.label} {sprint.name} deliverable {deliverable_id}"
                try:
                    review = sprint_report_for(
                        session,
                        actor,
                        board=board.id,
                        sprint_jira_id=sprint.id,
                        deliverable_id=deliverable_id,
                    )
                except TrackerError as exc:
                    found[where] = str(exc)
                else:
                    found[where] = figures(review)
        try:
            found[f"{board.label} velocity"] = board_velocity(session, actor, board_id=board.id)
        except TrackerError as exc:
            found[f"{board.label} velocity"] = str(exc)
    return found
