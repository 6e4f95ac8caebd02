"""Each rule of docs/jira-sprint-semantics.md, worked by hand on a small story."""

import math

import pandas as pd
import pytest

from tests.support.metric_frames import (
    AFTER,
    BEFORE,
    CLOSE,
    CLOSED,
    DONE,
    DONE_IDS,
    DURING,
    IN_PROGRESS,
    LATER,
    LATEST,
    NEXT_SPRINT_ID,
    SPRINT,
    START,
    TODO,
    Board,
)
from tracker.metrics.burndown import burndown
from tracker.metrics.frames import FrameContractError, Sprint
from tracker.metrics.sprint_report import ReportOptions, SprintReport, sprint_report


def report(board: Board, **options: object) -> SprintReport:
    issues, events = board.frames()
    return sprint_report(issues, events, SPRINT, DONE_IDS, ReportOptions(**options))


def row(result: SprintReport, key: str) -> pd.Series:
    rows = result.issues.loc[result.issues["key"] == key]
    assert len(rows) == 1, f"{key} should appear once, found {len(rows)}"
    return rows.iloc[0]


def outcome(result: SprintReport, key: str) -> str:
    return row(result, key)["outcome"]


def test_committed_issue_done_during_the_sprint_is_completed() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(IN_PROGRESS, at=DURING).moved_to(DONE, at=LATER)
    board.issue("A-2", points=3)

    result = report(board)

    assert outcome(result, "A-1") == "completed"
    assert outcome(result, "A-2") == "not_completed"
    assert (result.committed.points, result.committed.issues) == (8, 2)
    assert (result.completed.points, result.completed.issues) == (5, 1)
    assert (result.added.issues, result.removed.issues) == (0, 0)


def test_reopened_and_not_done_again_is_not_completed() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING).moved_to(TODO, at=LATER)

    assert outcome(report(board), "A-1") == "not_completed"


def test_reopened_and_done_again_is_completed() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING).moved_to(TODO, at=LATER).moved_to(
        DONE, at=LATEST
    )

    result = report(board)

    assert outcome(result, "A-1") == "completed"
    assert result.completed.points == 5


def test_removed_then_added_back_is_not_added() -> None:
    board = Board()
    board.issue("A-1", points=5).sprint_field("", at=DURING).sprint_field("7", at=LATER)

    result = report(board)

    assert not row(result, "A-1")["added"]
    assert outcome(result, "A-1") == "not_completed"
    assert result.committed.points == 5


def test_removed_during_the_sprint_is_removed_with_its_estimate() -> None:
    board = Board()
    board.issue("A-1", points=5).sprint_field(str(NEXT_SPRINT_ID), at=DURING)

    result = report(board)

    assert outcome(result, "A-1") == "removed"
    assert (result.removed.points, result.removed.issues) == (5, 1)
    assert result.committed.points == 5, "it was committed at the start"


def test_moved_between_two_done_statuses_during_the_sprint_is_completed() -> None:
    board = Board()
    board.issue("A-1", points=5, status=DONE).moved_to(CLOSED, at=DURING)

    result = report(board)

    assert outcome(result, "A-1") == "completed"
    assert row(result, "A-1")["done_at_start"]


def test_done_before_the_start_and_untouched_is_completed_outside() -> None:
    board = Board()
    board.issue("A-1", points=5, status=TODO).moved_to(DONE, at=BEFORE)
    board.issue("A-2", points=3)

    result = report(board)

    assert outcome(result, "A-1") == "completed_outside"
    assert row(result, "A-1")["done_at_start"]
    assert result.completed.points == 0, "work done outside the sprint is not velocity"


def test_done_at_start_is_left_out_of_committed_by_default_and_the_choice_is_shown() -> None:
    board = Board()
    board.issue("A-1", points=5, status=DONE)
    board.issue("A-2", points=3)

    default = report(board)
    included = report(board, done_at_start="include")

    assert (default.committed.points, default.committed.issues) == (3, 1)
    assert "left out of committed" in default.choices["done_at_start"]
    assert (included.committed.points, included.committed.issues) == (8, 2)
    assert "counted in committed" in included.choices["done_at_start"]


def test_done_before_start_then_reopened_and_redone_is_completed() -> None:
    board = Board()
    board.issue("A-1", points=5, status=DONE).moved_to(TODO, at=DURING).moved_to(DONE, at=LATER)

    assert outcome(report(board), "A-1") == "completed"


def test_added_while_already_done_is_completed_outside() -> None:
    board = Board()
    board.issue("A-1", points=5, status=DONE, sprints="").sprint_field("7", at=DURING)

    result = report(board)

    assert outcome(result, "A-1") == "completed_outside"
    assert row(result, "A-1")["added"]


def test_done_before_the_start_and_removed_is_removed() -> None:
    board = Board()
    board.issue("A-1", points=5, status=DONE).sprint_field("", at=DURING)

    result = report(board)

    assert outcome(result, "A-1") == "removed"
    assert "is removed" in result.choices["done_before_start_then_removed"]


def test_carried_over_at_close_keeps_the_sprint_and_is_not_completed() -> None:
    board = Board()
    board.issue("A-1", points=5).sprint_field(f"7,{NEXT_SPRINT_ID}", at=CLOSE)
    board.issue("A-2", points=3).sprint_field(f"7,{NEXT_SPRINT_ID}", at=AFTER).moved_to(
        DONE, at=AFTER
    )

    result = report(board)

    assert outcome(result, "A-1") == "not_completed"
    assert outcome(result, "A-2") == "not_completed", "done after the close does not count"
    assert result.removed.issues == 0


def test_added_with_no_estimate_counts_as_zero() -> None:
    board = Board()
    board.issue("A-1", points=None, sprints="").sprint_field("7", at=DURING).moved_to(
        DONE, at=LATER
    )
    board.issue("A-2", points=2)

    result = report(board)

    assert row(result, "A-1")["added"]
    assert math.isnan(row(result, "A-1")["initial_estimate"])
    assert (result.added.points, result.added.issues) == (0, 1)
    assert (result.completed.points, result.completed.issues) == (0, 1)
    assert result.committed.points == 2, "an added issue is not committed"


def test_added_issue_initial_estimate_is_its_estimate_when_added() -> None:
    board = Board()
    board.issue("A-1", points=3, sprints="").estimated(5, at=DURING).sprint_field("7", at=LATER)

    result = report(board)

    assert row(result, "A-1")["initial_estimate"] == 5
    assert result.added.points == 5


def test_estimate_changed_mid_sprint_keeps_initial_and_final() -> None:
    board = Board()
    board.issue("A-1", points=3).estimated(5, at=DURING).moved_to(DONE, at=LATER)
    board.issue("A-2", points=2).estimated(8, at=AFTER)

    result = report(board)

    assert (row(result, "A-1")["initial_estimate"], row(result, "A-1")["final_estimate"]) == (3, 5)
    assert row(result, "A-2")["final_estimate"] == 2, "a change after the close is not final"
    assert result.committed.points == 5, "committed uses the initial estimates"
    assert result.completed.points == 5, "completed uses the final estimates"


def test_changes_exactly_at_the_start_count_as_before_it() -> None:
    board = Board()
    board.issue("A-1", points=3).estimated(5, at=START)
    board.issue("A-2", points=2, sprints="").sprint_field("7", at=START)
    board.issue("A-3", points=1).moved_to(DONE, at=START)
    board.issue("A-4", points=8).sprint_field("", at=START)

    result = report(board)

    assert row(result, "A-1")["initial_estimate"] == 5
    assert not row(result, "A-2")["added"]
    assert outcome(result, "A-3") == "completed_outside"
    assert "A-4" not in set(result.issues["key"]), "removed at the start: never in the sprint"
    assert result.committed.points == 7


def test_changes_exactly_at_the_close_count_within_it() -> None:
    board = Board()
    board.issue("A-1", points=3).moved_to(DONE, at=CLOSE).estimated(4, at=CLOSE)

    result = report(board)

    assert outcome(result, "A-1") == "completed"
    assert row(result, "A-1")["final_estimate"] == 4


def test_created_after_the_start_straight_into_the_sprint_is_added() -> None:
    board = Board()
    board.issue("A-1", points=2, created=DURING)

    result = report(board)

    assert row(result, "A-1")["added"]
    assert row(result, "A-1")["initial_estimate"] == 2
    assert result.committed.issues == 0


def test_removed_issue_estimate_changed_after_removal_counts_in_final() -> None:
    board = Board()
    board.issue("A-1", points=5).sprint_field("", at=DURING).estimated(8, at=LATER)

    result = report(board)

    assert outcome(result, "A-1") == "removed"
    assert (row(result, "A-1")["initial_estimate"], row(result, "A-1")["final_estimate"]) == (5, 8)
    assert result.removed.points == 8


def test_issues_outside_the_sprint_window_are_not_in_the_report() -> None:
    board = Board()
    board.issue("A-1", points=5).sprint_field("", at=BEFORE)
    board.issue("A-2", points=5, sprints="").sprint_field("7", at=AFTER)
    board.issue("A-3", points=5, sprints=str(NEXT_SPRINT_ID))
    board.issue("A-4", points=1, created=AFTER)

    assert report(board).issues.empty


def test_subtask_added_through_its_parent_is_left_out_by_default() -> None:
    board = Board()
    parent = board.issue("A-1", points=3, sprints="").sprint_field("7", at=DURING)
    board.issue("A-2", points=2, sprints="", parent=parent).sprint_field("7", at=DURING)

    result = report(board)

    assert list(result.issues["key"]) == ["A-1"]
    assert row(result, "A-1")["initial_estimate"] == 3
    assert "left out" in result.choices["subtasks"]


def test_subtask_estimates_roll_up_into_the_parent_with_the_option() -> None:
    board = Board()
    parent = board.issue("A-1", points=3, sprints="").sprint_field("7", at=DURING)
    board.issue("A-2", points=2, sprints="", parent=parent).sprint_field("7", at=DURING).estimated(
        4, at=LATER
    )
    board.issue("A-3", points=None, parent=parent, created=LATEST).estimated(1, at=LATEST)

    result = report(board, include_subtasks=True)

    assert list(result.issues["key"]) == ["A-1"]
    assert row(result, "A-1")["initial_estimate"] == 3 + 2
    assert row(result, "A-1")["final_estimate"] == 3 + 4 + 1
    assert "added to their parent" in result.choices["subtasks"]


def test_outcome_lists_sum_their_issues_estimates() -> None:
    board = Board()
    board.issue("A-1", points=3).estimated(5, at=DURING).moved_to(DONE, at=LATER)
    board.issue("A-2", points=2).moved_to(DONE, at=DURING)
    board.issue("A-3", points=8).sprint_field("", at=DURING)
    board.issue("A-4", points=1)

    lists = report(board).outcomes

    assert lists.loc["completed"].to_dict() == {
        "issues": 2,
        "initial_estimate": 5,
        "final_estimate": 7,
    }
    assert lists.loc["removed", "final_estimate"] == 8
    assert lists.loc["not_completed", "issues"] == 1
    assert lists.loc["completed_outside", "issues"] == 0


def test_fields_other_than_status_sprint_estimate_are_ignored() -> None:
    board = Board()
    issue = board.issue("A-1", points=5)
    board.unrelated_change(issue, at=DURING, field_name="resolution")

    assert outcome(report(board), "A-1") == "not_completed"


def test_an_active_sprint_is_measured_up_to_now() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)
    board.issue("A-2", points=3).moved_to(DONE, at=LATEST)
    issues, events = board.frames()
    active = Sprint(id=7, name="Sprint 7", state="active", start=START, end=SPRINT.end)

    result = sprint_report(issues, events, active, DONE_IDS, now=LATER)

    assert result.close == LATER
    assert outcome(result, "A-1") == "completed"
    assert outcome(result, "A-2") == "not_completed"
    with pytest.raises(ValueError, match="pass `now`"):
        sprint_report(issues, events, active, DONE_IDS)


def test_a_frame_breaking_its_contract_is_named() -> None:
    issues, events = Board().frames()

    with pytest.raises(FrameContractError, match=r"issues frame: created: missing"):
        sprint_report(issues.drop(columns="created"), events, SPRINT, DONE_IDS)
    with pytest.raises(FrameContractError, match=r"events frame: seq: expected int64"):
        sprint_report(issues, events.astype({"seq": "float64"}), SPRINT, DONE_IDS)


def test_an_issue_listed_twice_is_refused_rather_than_counted_twice() -> None:
    board = Board()
    board.issue("A-1", points=5)
    issues, events = board.frames()

    with pytest.raises(FrameContractError, match="one board's issues"):
        sprint_report(pd.concat([issues, issues]), events, SPRINT, DONE_IDS)


def test_sprint_ids_are_matched_whole_not_as_substrings() -> None:
    board = Board()
    board.issue("A-1", points=5, sprints="17,70")
    board.issue("A-2", points=3, sprints="").sprint_field("77", at=DURING)
    board.issue("A-3", points=2, sprints="6,7,8")

    assert list(report(board).issues["key"]) == ["A-3"]


def test_a_board_without_estimates_is_counted_in_issues_not_reported_as_zeros() -> None:
    board = Board()
    board.issue("A-1").moved_to(DONE, at=DURING)  # committed, completed
    board.issue("A-2")  # committed, not completed
    board.issue("A-3", sprints="").sprint_field("7", at=DURING)  # added, not completed
    board.issue("A-4").sprint_field("", at=LATER)  # committed, removed
    sub = board.issue("A-1a", parent=board.issues[0])  # sub-tasks are left out, as in Jira
    sub.moved_to(DONE, at=DURING)
    issues, events = board.frames()

    result = sprint_report(issues, events, SPRINT, DONE_IDS, measure="issues")

    assert result.measure == "issues"
    totals = {
        name: (getattr(result, name).issues, getattr(result, name).points)
        for name in ("committed", "completed", "added", "removed", "not_completed")
    }
    assert totals == {
        "committed": (3, None),
        "completed": (1, None),
        "added": (1, None),
        "removed": (1, None),
        "not_completed": (2, None),
    }
    assert result.issues[["initial_estimate", "final_estimate"]].isna().all().all()
    assert "count of issues" in result.choices["missing_estimate"]
    steps = burndown(result)
    # 3 issues committed; A-1 done (-1), A-3 added (+1), A-4 removed (-1): 2 left at the close.
    assert list(steps["remaining"]) == [3, 2, 3, 2, 2]
    assert steps["explanation"].iloc[0] == "Sprint started: 3 issues committed"
    assert steps["explanation"].iloc[-1] == "Sprint closed: 2 issues not done"
