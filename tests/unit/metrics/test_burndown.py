"""The burndown, burnup and guideline, worked by hand; velocity from sprint reports."""

import pandas as pd

from tests.support.metric_frames import (
    AFTER,
    DONE,
    DONE_IDS,
    DURING,
    END,
    LATER,
    LATEST,
    SPRINT,
    START,
    TODO,
    Board,
    at,
)
from tracker.metrics.burndown import burndown, burnup, guideline, standing
from tracker.metrics.frames import Sprint
from tracker.metrics.sprint_report import ReportOptions, SprintReport, sprint_report
from tracker.metrics.velocity import velocity


def story() -> Board:
    """Committed 5 + 3 + 8 = 16, then a burn, a reopen, an addition, a re-estimate and a removal."""
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)
    board.issue("A-2", points=3).moved_to(DONE, at=DURING).moved_to(TODO, at=LATER)
    board.issue("A-3", points=2, sprints="").sprint_field("7", at=DURING).estimated(4, at=LATER)
    board.issue("A-4", points=8).sprint_field("", at=LATEST).estimated(13, at=AFTER)
    board.issue("A-5", points=1, status=DONE)
    return board


def report(board: Board, **options: object) -> SprintReport:
    issues, events = board.frames()
    return sprint_report(issues, events, SPRINT, DONE_IDS, ReportOptions(**options))


def test_burndown_steps_through_each_change_from_committed() -> None:
    frame = burndown(report(story()))

    steps = list(zip(frame["event"], frame["key"], frame["delta"], frame["remaining"], strict=True))
    assert steps == [
        ("start", None, 0, 16),
        ("burn", "A-1", -5, 11),
        ("burn", "A-2", -3, 8),
        ("added", "A-3", 2, 10),
        ("reopen", "A-2", 3, 13),
        ("estimate_change", "A-3", 2, 15),
        ("removed", "A-4", -8, 7),
        ("end", None, 0, 7),
    ]
    assert frame["at"].iloc[0] == START
    assert frame["at"].iloc[-1] == END, "runs on to the planned end after an early close"
    assert frame["at"].is_monotonic_increasing


def test_burndown_explains_every_step() -> None:
    frame = burndown(report(story()))

    explanations = dict(zip(frame["event"], frame["explanation"], strict=True))

    assert explanations["start"] == "Sprint started: 16 points committed"
    assert explanations["added"] == "A-3 added to the sprint: scope +2"
    assert explanations["estimate_change"] == "A-3 estimate 2 → 4: scope +2"
    assert explanations["removed"] == "A-4 removed from the sprint: scope −8"
    assert explanations["reopen"] == "A-2 reopened: 3 points back to do"
    assert explanations["end"] == "Sprint closed: 7 points not done"


def test_burndown_ends_at_the_actual_close_when_later_than_planned() -> None:
    late = Sprint(id=7, name="Sprint 7", state="closed", start=START, end=DURING, complete=LATEST)
    issues, events = story().frames()

    frame = burndown(sprint_report(issues, events, late, DONE_IDS))

    assert frame["at"].iloc[-1] == LATEST


def test_done_at_start_counted_in_committed_burns_at_the_start() -> None:
    frame = burndown(report(story(), done_at_start="include"))

    assert frame["remaining"].iloc[0] == 17
    first_burn = frame.iloc[1]
    assert (first_burn["at"], first_burn["key"], first_burn["delta"]) == (START, "A-5", -1)
    assert frame["remaining"].iloc[-1] == 7, "the same work is left either way"


def test_rolled_up_subtask_estimate_change_is_a_scope_change_of_its_parent() -> None:
    board = Board()
    parent = board.issue("A-1", points=3)
    board.issue("A-2", points=2, parent=parent).estimated(5, at=DURING)

    frame = burndown(report(board, include_subtasks=True))

    change = frame.loc[frame["event"] == "estimate_change"].iloc[0]
    assert (change["key"], change["delta"], frame["remaining"].iloc[0]) == ("A-1", 3, 5)
    assert change["explanation"].startswith("a sub-task's estimate changed")


def test_burnup_tracks_scope_and_done_consistently_with_the_burndown() -> None:
    down = burndown(report(story()))

    up = burnup(down)

    assert list(up["scope"]) == [16, 16, 16, 18, 18, 20, 12, 12]
    assert list(up["done"]) == [0, 5, 8, 8, 5, 5, 5, 5]
    assert ((up["scope"] - up["done"]) == down["remaining"]).all()


def test_guideline_is_flat_over_the_weekend_and_reaches_zero_at_the_planned_end() -> None:
    # Monday 8 to Friday 12 January and Monday 15 to Friday 19: ten working days of 10 points.
    sprint = Sprint(
        id=1, name="S", state="closed", start=at("2024-01-08 00:00"), end=at("2024-01-20 00:00")
    )

    line = guideline(sprint, committed=10, tz="UTC").set_index("at")["remaining"]

    assert line[at("2024-01-08")] == 10
    assert line[at("2024-01-13")] == 5, "five working days burnt by Saturday"
    assert line[at("2024-01-15")] == 5, "flat over Saturday and Sunday"
    assert line[at("2024-01-16")] == 4
    assert line[at("2024-01-20")] == 0


def test_guideline_follows_local_midnight() -> None:
    # In British Summer Time the weekend begins at 23:00 UTC on Friday.
    sprint = Sprint(
        id=1, name="S", state="closed", start=at("2024-06-14 08:00"), end=at("2024-06-18 08:00")
    )

    line = guideline(sprint, committed=10).set_index("at")["remaining"]

    assert at("2024-06-14 23:00") in line.index
    assert line[at("2024-06-14 23:00")] == line[at("2024-06-16 23:00")]


def test_velocity_lists_sprints_in_order_with_the_recent_average() -> None:
    reports = []
    for number, completed in enumerate([4, 8, 6, 10], start=1):
        board = Board()
        board.issue("A-1", points=completed, sprints=str(number)).moved_to(DONE, at=DURING)
        board.issue("A-2", points=1, sprints=str(number))
        start = START - pd.Timedelta(days=5 - number)
        sprint = Sprint(
            id=number, name=f"S{number}", state="closed", start=start, end=END, complete=END
        )
        issues, events = board.frames()
        reports.append(sprint_report(issues, events, sprint, DONE_IDS))

    frame = velocity(reversed(reports))

    assert list(frame["sprint"]) == ["S1", "S2", "S3", "S4"]
    assert list(frame["committed_points"]) == [5, 9, 7, 11]
    assert list(frame["completed_points"]) == [4, 8, 6, 10]
    assert list(frame["average_points"]) == [4, 6, 6, 8]
    # Counts beside points: two issues committed, one completed, nothing else, every sprint.
    assert list(frame["committed_issues"]) == [2] * 4
    assert list(frame["completed_issues"]) == [1] * 4
    assert list(frame["not_completed_points"]) == [1] * 4
    assert list(frame["not_completed_issues"]) == [1] * 4
    assert list(frame["added_issues"]) == list(frame["removed_issues"]) == [0] * 4
    assert list(frame["average_issues"]) == [1] * 4


def _running(now: pd.Timestamp):
    """A running sprint of 11 points whose 2-point story is done: the issue's example."""
    board = Board()
    board.issue("B-1", points=2).moved_to(DONE, at=DURING)
    board.issue("B-2", points=4)
    board.issue("B-3", points=5)
    issues, events = board.frames()
    running = Sprint(id=7, name="Sprint 7", state="active", start=START, end=END)
    review = sprint_report(issues, events, running, DONE_IDS, now=now)
    frame, line = burndown(review), guideline(running, review.committed.points)
    return standing(frame, line, running, review.committed.points, "points", now)


def test_a_running_sprint_says_what_is_left_how_long_and_whether_on_track() -> None:
    now = END - pd.Timedelta(days=2)  # Monday 22 January, two days before the planned end
    found = _running(now)
    assert (found.remaining, found.committed, found.days_left, found.working_days_left) == (
        9,
        11,
        2,
        2,
    )
    assert not found.on_track
    assert found.sentence() == (
        "9 of 11 points left with 2 days (2 working) to the planned end; the guideline expects "
        "2.2 left by now: behind: 6.8 points more left than planned."
    )


def test_a_running_sprint_within_a_point_of_the_guideline_is_on_track() -> None:
    found = _running(START + pd.Timedelta(hours=1))
    assert found.on_track and found.remaining == 11 and found.expected > 10.9
    assert found.sentence().endswith("on track.")
