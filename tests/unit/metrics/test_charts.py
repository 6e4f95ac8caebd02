"""The figures carry the right series and values, titles, and cues beyond colour."""

import pandas as pd
import plotly.graph_objects as go

from tests.support.metric_frames import DONE, DONE_IDS, DURING, LATER, LATEST, SPRINT, TODO, Board
from tracker.charts.delivery import (
    burndown_figure,
    burnup_figure,
    programme_figure,
    velocity_figure,
)
from tracker.metrics.burndown import burndown, burnup, guideline
from tracker.metrics.sprint_report import sprint_report


def sprint_burndown() -> pd.DataFrame:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)
    board.issue("A-2", points=3).moved_to(DONE, at=DURING).moved_to(TODO, at=LATER)
    board.issue("A-3", points=2, sprints="").sprint_field("7", at=DURING)
    board.issue("A-4", points=8).sprint_field("", at=LATEST)
    issues, events = board.frames()
    return burndown(sprint_report(issues, events, SPRINT, DONE_IDS))


def trace(figure: go.Figure, name: str) -> go.Scatter | go.Bar:
    matches = [t for t in figure.data if t.name == name]
    assert len(matches) == 1, f"one trace named {name!r}, found {[t.name for t in figure.data]}"
    return matches[0]


def assert_titled(figure: go.Figure, title: str, x_title: str, y_title: str) -> None:
    assert figure.layout.title.text == title
    assert figure.layout.xaxis.title.text == x_title
    assert figure.layout.yaxis.title.text == y_title


def test_burndown_figure_steps_marks_scope_changes_and_draws_the_guideline() -> None:
    frame = sprint_burndown()

    figure = burndown_figure(frame, guideline(SPRINT, committed=16), title="Sprint 7 burndown")

    assert_titled(figure, "Sprint 7 burndown", "Date", "Remaining work (points)")
    line = trace(figure, "Remaining work")
    assert line.line.shape == "hv"
    assert list(line.y) == list(frame["remaining"])
    assert list(line.text) == list(frame["explanation"])
    added, removed, reopened = (
        trace(figure, "Added to the sprint"),
        trace(figure, "Removed from the sprint"),
        trace(figure, "Reopened"),
    )
    assert list(added.text) == ["A-3 added to the sprint: scope +2"]
    assert list(removed.text) == ["A-4 removed from the sprint: scope −8"]
    assert len({added.marker.symbol, removed.marker.symbol, reopened.marker.symbol}) == 3
    assert trace(figure, "Guideline").line.dash == "dash"
    assert trace(figure, "Guideline").y[0] == 16
    assert not [t for t in figure.data if t.name == "Estimate changed"], "no empty series"


def test_burnup_figure_tells_scope_from_done_by_dash_as_well_as_colour() -> None:
    frame = burnup(sprint_burndown())

    figure = burnup_figure(frame)

    assert_titled(figure, "Sprint burnup", "Date", "Work (points)")
    scope, done = trace(figure, "Scope"), trace(figure, "Done")
    assert list(scope.y) == list(frame["scope"]) and list(done.y) == list(frame["done"])
    assert scope.line.dash == "dash" and done.line.dash is None
    assert scope.line.shape == done.line.shape == "hv"


def test_velocity_figure_groups_committed_and_completed_with_the_average() -> None:
    frame = pd.DataFrame(
        {
            "sprint": ["S1", "S2", "S3"],
            "committed_points": [10.0, 12.0, 9.0],
            "committed_issues": [4, 5, 3],
            "completed_points": [8.0, 12.0, 7.0],
            "completed_issues": [3, 5, 2],
            "average_points": [8.0, 10.0, 9.0],
            "average_issues": [3.0, 4.0, 10 / 3],
        }
    )

    figure = velocity_figure(frame)
    counted = velocity_figure(frame, unit="issues")

    assert_titled(
        figure, "Velocity: committed and completed per sprint", "Sprint", "Estimate (points)"
    )
    committed, completed = trace(figure, "Committed"), trace(figure, "Completed")
    assert list(committed.y) == [10, 12, 9] and list(completed.y) == [8, 12, 7]
    assert figure.layout.barmode == "group"
    assert committed.marker.pattern.shape != completed.marker.pattern.shape
    assert list(trace(figure, "Average completed (recent sprints)").y) == [8, 10, 9]
    assert counted.layout.yaxis.title.text == "Issues"
    assert list(trace(counted, "Committed").y) == [4, 5, 3]
    assert list(trace(counted, "Average completed (recent sprints)").y)[:2] == [3, 4]


def programme() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.date_range("2025-01-01", periods=3, freq="D"),
            "scope_issues": [10, 12, 12],
            "done_issues": [2, 3, 5],
        }
    )


def test_programme_figure_labels_forecast_dates_on_the_scope_line() -> None:
    forecast = pd.DataFrame(
        {
            "percentile": [50, 85],
            "weeks": [3.0, 5.0],
            "date": pd.to_datetime(["2025-01-24", "2025-02-07"]),
            "note": "",
        }
    )

    figure = programme_figure(programme(), forecast, title="Shared revenues and benefits")

    assert_titled(figure, "Shared revenues and benefits", "Date", "Issues")
    assert list(trace(figure, "Done").y) == [2, 3, 5]
    marks = trace(figure, "Forecast completion")
    assert list(marks.y) == [12, 12]
    assert list(marks.text) == ["50% likely by 24 Jan 2025", "85% likely by 07 Feb 2025"]


def test_programme_figure_says_why_there_is_no_forecast() -> None:
    forecast = pd.DataFrame(
        {
            "percentile": [50],
            "weeks": [float("nan")],
            "date": pd.to_datetime([pd.NaT]),
            "note": "nothing was finished in the last 3 weeks: no forecast possible",
        }
    )

    figure = programme_figure(programme(), forecast)

    assert not [t for t in figure.data if t.name == "Forecast completion"]
    assert "no forecast possible" in figure.layout.annotations[0].text
