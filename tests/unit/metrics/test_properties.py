"""Random issue histories, checked against a plain issue-by-issue reading of the rules.

The oracle below walks each issue's changes one at a time, the way the rules in
docs/jira-sprint-semantics.md are written; the vectorised report must agree with it on every
issue, and the burndown must end where the report says the undone work stands.
"""

import math
from dataclasses import dataclass

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

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
    LONG_AGO,
    SPRINT,
    START,
    TODO,
    Board,
    Issue,
)
from tracker.metrics.burndown import BURNS, SCOPE_CHANGES, burndown
from tracker.metrics.frames import Sprint
from tracker.metrics.sprint_report import (
    OUTCOMES,
    ReportOptions,
    sprint_outcomes,
    sprint_report,
)

TIMES = [LONG_AGO, BEFORE, START, DURING, LATER, LATEST, CLOSE, AFTER]
SPRINT_FIELDS = ["", "7", "8", "7,8"]
POINTS = [None, 0.5, 1.0, 2.0, 3.0, 5.0]
STATUSES = [TODO, IN_PROGRESS, DONE, CLOSED]


@st.composite
def boards(draw: st.DrawFn) -> Board:
    board = Board()
    for number in range(draw(st.integers(1, 6))):
        created = draw(st.sampled_from(TIMES))
        issue = board.issue(
            f"A-{number + 1}",
            created=created,
            status=draw(st.sampled_from(STATUSES)),
            sprints=draw(st.sampled_from(SPRINT_FIELDS)),
            points=draw(st.sampled_from(POINTS)),
        )
        later_times = [time for time in TIMES if time >= created]
        for _ in range(draw(st.integers(0, 6))):
            when = draw(st.sampled_from(later_times))
            match draw(st.sampled_from(["status", "sprint", "estimate"])):
                case "status":
                    issue.moved_to(draw(st.sampled_from(STATUSES)), at=when)
                case "sprint":
                    issue.sprint_field(draw(st.sampled_from(SPRINT_FIELDS)), at=when)
                case _:
                    issue.estimated(draw(st.sampled_from(POINTS)), at=when)
    return board


@dataclass
class Expected:
    outcome: str
    added: bool
    initial: float
    final: float


def expected(issue: Issue) -> Expected | None:
    """The rules, read literally, for one issue; None when it was never in the sprint."""
    changes = sorted(issue.changes, key=lambda change: change[0])

    def state(t: pd.Timestamp) -> dict[str, object] | None:
        if issue.created > t:
            return None
        now = {"status": issue.status, "sprint": issue.sprints, "estimate": issue.points}
        for when, name, value in changes:
            if when <= t:
                now[name] = float(value) if name == "estimate" and value else value
        return now

    def in_sprint(now: dict[str, object] | None) -> bool:
        return now is not None and "7" in str(now["sprint"] or "").split(",")

    start_state = state(START)
    membership = "7" in issue.sprints.split(",")
    entries = [issue.created] if membership and START < issue.created <= CLOSE else []
    for when, name, value in changes:
        now_in = "7" in (value or "").split(",") if name == "sprint" else membership
        if now_in and not membership and START < when <= CLOSE:
            entries.append(when)
        membership = now_in
    if not in_sprint(start_state) and not entries:
        return None
    added = not in_sprint(start_state)
    entered = min(entries) if added else START
    at_entry, at_close = state(entered), state(CLOSE)
    status_moved = any(name == "status" and entered < when <= CLOSE for when, name, _ in changes)
    done_at_entry = at_entry["status"] in DONE_IDS
    done_at_close = at_close["status"] in DONE_IDS
    if not in_sprint(at_close):
        outcome = "removed"
    elif done_at_close and done_at_entry and not status_moved:
        outcome = "completed_outside"
    elif done_at_close:
        outcome = "completed"
    else:
        outcome = "not_completed"
    nan = float("nan")
    return Expected(
        outcome,
        added,
        nan if at_entry["estimate"] is None else at_entry["estimate"],
        nan if at_close["estimate"] is None else at_close["estimate"],
    )


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=200, deadline=None)
@given(board=boards(), done_at_start=st.sampled_from(["include", "exclude"]))
def test_report_agrees_with_the_rules_issue_by_issue(board: Board, done_at_start: str) -> None:
    issues, events = board.frames()
    result = sprint_report(
        issues, events, SPRINT, DONE_IDS, ReportOptions(done_at_start=done_at_start)
    )
    oracle = {issue.key: expected(issue) for issue in board.issues}
    oracle = {key: value for key, value in oracle.items() if value is not None}

    assert sorted(result.issues["key"]) == sorted(oracle), "exactly the issues ever in the sprint"
    assert result.issues["outcome"].isin(OUTCOMES).all()
    for row in result.issues.itertuples():
        want = oracle[row.key]
        assert (row.outcome, row.added) == (want.outcome, want.added), row.key
        assert same(row.initial_estimate, want.initial), row.key
        assert same(row.final_estimate, want.final), row.key

    for outcome in OUTCOMES:
        members = [value for value in oracle.values() if value.outcome == outcome]
        listed = result.outcomes.loc[outcome]
        assert listed["issues"] == len(members)
        assert listed["initial_estimate"] == sum(
            m.initial for m in members if not math.isnan(m.initial)
        )
        assert listed["final_estimate"] == sum(m.final for m in members if not math.isnan(m.final))


@settings(max_examples=200, deadline=None)
@given(board=boards(), done_at_start=st.sampled_from(["include", "exclude"]))
def test_burndown_ends_at_committed_plus_scope_changes_minus_burns(
    board: Board, done_at_start: str
) -> None:
    issues, events = board.frames()
    result = sprint_report(
        issues, events, SPRINT, DONE_IDS, ReportOptions(done_at_start=done_at_start)
    )

    frame = burndown(result)

    scope = frame.loc[frame["event"].isin(SCOPE_CHANGES), "delta"].sum()
    burns = -frame.loc[frame["event"].isin(BURNS), "delta"].sum()
    final = frame["remaining"].iloc[-1]
    assert frame["remaining"].iloc[0] == result.committed.points
    assert math.isclose(final, result.committed.points + scope - burns, abs_tol=1e-9)
    not_done = result.issues.loc[result.issues["outcome"] == "not_completed", "final_estimate"]
    assert math.isclose(final, not_done.fillna(0.0).sum(), abs_tol=1e-9), (
        "the line ends at the work the report lists as not completed"
    )


@settings(max_examples=200, deadline=None)
@given(
    board=boards(),
    start=st.sampled_from(TIMES),
    close=st.sampled_from(TIMES),
    subtasks=st.booleans(),
)
def test_one_replay_gives_each_sprints_outcomes_as_its_own_report_does(
    board: Board, start: pd.Timestamp, close: pd.Timestamp, subtasks: bool
) -> None:
    """The board pack reads several sprints of a board off one replay (sprint_outcomes): each
    must list the very issues and outcomes of its own sprint report, also for a second sprint
    closed at any time (before it started, even) and with sub-task estimates rolled up."""
    if board.issues and subtasks:
        board.issue("S-1", parent=board.issues[0], sprints="", points=2.0).estimated(3.0, at=DURING)
    issues, events = board.frames()
    other = Sprint(id=8, name="Sprint 8", state="closed", start=start, end=close, complete=close)
    options = ReportOptions(include_subtasks=subtasks)

    together = sprint_outcomes(issues, events, [SPRINT, other], DONE_IDS, options)

    for sprint in (SPRINT, other):
        alone = sprint_report(issues, events, sprint, DONE_IDS, options).issues
        expected = alone.drop(columns="key").set_index("issue_id").sort_index()
        pd.testing.assert_frame_equal(together[sprint.id], expected)
