"""The delivery pages' tables and CSVs for a board without an estimation field: issue counts,
no points column of zeros."""

import io
from types import SimpleNamespace

import pandas as pd

from tests.support.metric_frames import DONE, DONE_IDS, SPRINT, Board
from tracker.metrics.sprint_report import Total, sprint_report
from tracker.metrics.velocity import velocity
from tracker.ui.delivery import (
    amount,
    totals_csv,
    velocity_csv,
    velocity_table,
    velocity_unit,
)


def counted_velocity() -> pd.DataFrame:
    board = Board()
    board.issue("A-1").moved_to(DONE, at=SPRINT.start + pd.Timedelta(days=1))
    board.issue("A-2")
    issues, events = board.frames()
    frame = velocity([sprint_report(issues, events, SPRINT, DONE_IDS, measure="issues")])
    return frame.assign(warnings=[[]])


def test_a_total_reads_in_points_and_issues_or_in_issues_alone() -> None:
    assert amount(Total(points=18.0, issues=6)) == "18 points, 6 issues"
    assert amount(Total(points=1.0, issues=1)) == "1 point, 1 issue"
    assert amount(Total(points=None, issues=2)) == "2 issues"


def test_velocity_of_a_board_without_estimates_is_in_issues_only() -> None:
    frame = counted_velocity()

    table = velocity_table(frame)
    exported = pd.read_csv(io.BytesIO(velocity_csv(frame)))

    assert velocity_unit(frame) == "issues"
    assert not any("(points)" in column for column in table.columns)
    assert table.iloc[0]["Committed (issues)"] == 2 and table.iloc[0]["Completed (issues)"] == 1
    assert exported.loc[0, "committed_issues"] == 2 and exported["committed_points"].isna().all()


def test_the_totals_csv_carries_the_reviews_warnings() -> None:
    board = Board()
    board.issue("A-1", points=3).moved_to(DONE, at=SPRINT.start + pd.Timedelta(days=1))
    issues, events = board.frames()
    report = sprint_report(issues, events, SPRINT, DONE_IDS)
    review = SimpleNamespace(
        report=report,
        sprint=SPRINT,
        board=SimpleNamespace(name="Revenues", site="northmoor"),
        warnings=["A-1: Jira sent its changelog without 2 histories"],
    )

    exported = pd.read_csv(io.BytesIO(totals_csv(review)))  # type: ignore[arg-type]

    assert list(exported["total"]) == [
        "committed", "completed", "added", "removed", "not_completed"
    ]  # fmt: skip
    assert list(exported["issues"]) == [1, 1, 0, 0, 0]
    assert list(exported["points"]) == [3, 3, 0, 0, 0]
    assert set(exported["warnings"]) == {"A-1: Jira sent its changelog without 2 histories"}
