"""Carry-over: where the unfinished work of a closed sprint went, worked by hand."""

import math
from dataclasses import replace

import pandas as pd

from tests.support.metric_frames import (
    AFTER,
    CLOSE,
    DONE,
    DONE_IDS,
    DURING,
    NEXT_SPRINT_ID,
    SPRINT,
    Board,
)
from tracker.metrics.carry_over import carry_over
from tracker.metrics.sprint_report import sprint_report

AT_CLOSE = CLOSE + pd.Timedelta(seconds=2)


def _carried(board: Board, sprint=SPRINT, now=None) -> pd.DataFrame:
    issues, events = board.frames()
    report = sprint_report(issues, events, sprint, DONE_IDS, now=now)
    return carry_over(report, events).set_index("key")


def test_unfinished_work_moved_at_the_close_names_its_sprint() -> None:
    board = Board()
    board.issue("A-1", points=5).sprint_field(f"7,{NEXT_SPRINT_ID}", at=AT_CLOSE)
    board.issue("A-2", points=3).moved_to(DONE, at=DURING)
    board.issue("A-3")  # left for the backlog: the close changes nothing

    carried = _carried(board)

    assert list(carried.index) == ["A-1", "A-3"]
    assert carried.loc["A-1", "to_sprint_id"] == NEXT_SPRINT_ID
    assert carried.loc["A-1", "remaining"] == 5
    assert pd.isna(carried.loc["A-3", "to_sprint_id"])
    assert math.isnan(carried.loc["A-3", "remaining"])


def test_a_later_re_planning_from_the_backlog_is_not_carry_over() -> None:
    board = Board()
    board.issue("A-1", points=2).sprint_field(f"7,{NEXT_SPRINT_ID}", at=AFTER)

    assert pd.isna(_carried(board).loc["A-1", "to_sprint_id"])


def test_completed_and_removed_issues_are_not_carried() -> None:
    board = Board()
    board.issue("A-1", points=2).moved_to(DONE, at=DURING)
    board.issue("A-2", points=2).sprint_field("", at=DURING)

    assert _carried(board).empty


def test_a_running_sprint_has_carried_nothing_yet() -> None:
    board = Board()
    board.issue("A-1", points=2)
    running = replace(SPRINT, state="active", complete=None)

    carried = _carried(board, running, now=DURING)

    assert carried.empty
    assert list(carried.reset_index().columns) == ["key", "issue_id", "remaining", "to_sprint_id"]
