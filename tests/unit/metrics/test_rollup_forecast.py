"""Programme burnup across boards, and the Monte Carlo forecast built on it."""

import math

import numpy as np
import pandas as pd

from tests.support.metric_frames import (
    AFTER,
    DONE,
    DONE_IDS,
    DURING,
    LATER,
    LONG_AGO,
    TODO,
    Board,
    at,
)
from tracker.metrics.forecast import _simulate, forecast, forecast_each, weekly_throughput
from tracker.metrics.rollup import extend_burnup, programme_burnup

OTHER_BOARD_DONE = frozenset({"20"})


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def rollup(board: Board, boards: dict[str, int], deliverables: dict[str, list[int]], **kwargs):
    issues, events = board.frames()
    issues = issues.assign(board_id=issues["key"].map(boards).astype("int64"))
    ids = dict(zip(issues["key"], issues["issue_id"], strict=True))
    mapping = pd.DataFrame(
        [(ids[key], d) for key, ds in deliverables.items() for d in ds],
        columns=["issue_id", "deliverable_id"],
    ).astype("int64")
    return programme_burnup(issues, events, mapping, {1: DONE_IDS, 2: OTHER_BOARD_DONE}, **kwargs)


def on(frame: pd.DataFrame, date: str) -> pd.Series:
    return frame.set_index("date").loc[day(date)]


def test_programme_burnup_counts_scope_and_done_day_by_day() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)
    board.issue("A-2", points=3).moved_to(DONE, at=DURING).moved_to(TODO, at=LATER)
    board.issue("A-3", points=2, created=DURING).estimated(4, at=LATER)

    result = rollup(board, {"A-1": 1, "A-2": 1, "A-3": 1}, {}, until=AFTER)
    programme = result.programme

    assert programme["date"].iloc[0] == day("2024-01-01")
    assert programme["date"].iloc[-1] == day("2024-01-27")
    assert on(programme, "2024-01-14").to_dict() == {
        "scope_points": 8,
        "done_points": 0,
        "scope_issues": 2,
        "done_issues": 0,
    }
    assert on(programme, "2024-01-15").to_dict() == {
        "scope_points": 10,
        "done_points": 8,
        "scope_issues": 3,
        "done_issues": 2,
    }
    assert on(programme, "2024-01-16").to_dict() == {
        "scope_points": 12,
        "done_points": 5,
        "scope_issues": 3,
        "done_issues": 1,
    }


def test_each_board_judges_done_by_its_own_right_most_column() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)
    board.issue("B-1", points=3).moved_to(DONE, at=DURING)
    board.issue("B-2", points=2).moved_to("20", at=DURING)

    programme = rollup(board, {"A-1": 1, "B-1": 2, "B-2": 2}, {}).programme

    assert programme["done_points"].iloc[-1] == 5 + 2
    assert programme["done_issues"].iloc[-1] == 2


def test_deliverables_accumulate_their_own_issues() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)
    board.issue("A-2", points=3)
    board.issue("A-3", points=1)

    per = rollup(board, dict.fromkeys(["A-1", "A-2", "A-3"], 1), {"A-1": [10], "A-2": [10, 20]})
    last = per.deliverables.groupby("deliverable_id").last()

    assert last.loc[10, ["scope_points", "done_points"]].tolist() == [8, 5]
    assert last.loc[20, ["scope_points", "done_points"]].tolist() == [3, 0]
    assert set(per.deliverables["deliverable_id"]) == {10, 20}, "unmapped issues are programme-only"
    assert per.programme["scope_points"].iloc[-1] == 9


def test_an_issue_on_two_boards_counts_once_and_subtasks_are_left_out() -> None:
    board = Board()
    parent = board.issue("A-1", points=5)
    board.issue("A-2", points=3, parent=parent)
    issues, events = board.frames()
    twice = pd.concat([issues.assign(board_id=1), issues.assign(board_id=2)], ignore_index=True)
    no_deliverables = pd.DataFrame({"issue_id": [], "deliverable_id": []}, dtype="int64")

    result = programme_burnup(twice, events, no_deliverables, {1: DONE_IDS, 2: DONE_IDS})

    assert result.programme["scope_issues"].iloc[-1] == 1
    assert result.programme["scope_points"].iloc[-1] == 5


def test_days_are_local_calendar_days() -> None:
    board = Board()
    board.issue("A-1", points=1, created=LONG_AGO).moved_to(DONE, at=at("2024-06-14 23:30"))

    programme = rollup(board, {"A-1": 1}, {}).programme

    assert programme["date"].iloc[-1] == day("2024-06-15"), "23:30 UTC is past midnight in BST"


def test_a_programme_without_issues_has_an_empty_burnup_and_no_forecast() -> None:
    result = rollup(Board(), {}, {})

    assert result.programme.empty and result.deliverables.empty
    assert forecast(result.programme)["date"].isna().all()


def test_a_burnup_until_before_the_first_issue_is_empty_not_an_error() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)

    result = rollup(board, {"A-1": 1}, {"A-1": [7]}, until=day("2023-06-01").tz_localize("UTC"))

    assert result.programme.empty and result.deliverables.empty
    assert forecast(result.programme)["date"].isna().all()


def burnup(done_per_week: list[float], scope: float) -> pd.DataFrame:
    """A daily burnup whose done climbs by the given amount each week, in even daily steps."""
    daily = np.repeat(np.asarray(done_per_week, dtype=float) / 7, 7)
    done = np.concatenate([[0.0], np.cumsum(daily)])
    return pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=len(done), freq="D"),
            "scope_issues": scope,
            "done_issues": np.round(done, 9),
        }
    )


def test_steady_throughput_gives_one_date_for_every_confidence() -> None:
    frame = burnup([2, 2, 2, 2], scope=18)  # 8 done, 10 left at 2 a week

    result = forecast(frame)

    assert list(result["percentile"]) == [50, 85, 95]
    assert list(result["weeks"]) == [5, 5, 5]
    assert (result["date"] == frame["date"].iloc[-1] + pd.Timedelta(weeks=5)).all()


def test_uncertain_throughput_spreads_the_dates_and_is_repeatable() -> None:
    frame = burnup([0, 6, 1, 5, 0, 4, 2, 6], scope=40)

    first, again = forecast(frame, seed=3), forecast(frame, seed=3)

    assert first.equals(again)
    weeks = first["weeks"].tolist()
    assert weeks[0] <= weeks[1] <= weeks[2]
    assert weeks[0] < weeks[2]
    assert 16 / 3.0 <= weeks[0] <= 16 / 1.5, "about remaining / mean throughput"


def test_no_work_finished_recently_gives_no_forecast_instead_of_a_crash() -> None:
    result = forecast(burnup([0, 0, 0], scope=5))

    assert result["date"].isna().all() and result["weeks"].isna().all()
    assert "no forecast possible" in result["note"].iloc[0]


def test_finished_scope_is_due_now() -> None:
    result = forecast(burnup([1, 1], scope=2))

    assert list(result["weeks"]) == [0, 0, 0]
    assert result["note"].iloc[0] == "all scope is done"


def test_less_than_a_week_of_history_gives_no_forecast() -> None:
    result = forecast(burnup([3], scope=10).head(5))

    assert result["date"].isna().all()
    assert "less than a week" in result["note"].iloc[0]


def test_a_date_beyond_the_horizon_is_left_empty() -> None:
    result = forecast(burnup([1, 0, 0, 0], scope=1_000), horizon_weeks=52)

    assert result["date"].isna().all()
    assert "later than 52 weeks" in result["note"].iloc[0]


def test_reopened_work_does_not_make_a_week_negative() -> None:
    frame = burnup([3, -2, 4], scope=20)

    assert weekly_throughput(frame).tolist() == [3, 0, 4]
    assert not math.isnan(forecast(frame)["weeks"].iloc[0])


def test_forecast_each_gives_each_groups_own_forecast() -> None:
    """Many deliverables at once: the very rows forecast() gives each one alone, including a
    group that is finished, one with nothing done lately and one with no history yet."""
    rng = np.random.default_rng(3)
    days = pd.date_range("2026-01-05", periods=120, freq="D", name="date")
    groups = []
    for key, rate in ((1, 0.6), (2, 0.0), (3, 1.5), (4, 0.2)):
        done = np.cumsum(rng.poisson(rate, len(days)))
        scope = done + (0 if key == 3 else 40)
        groups.append(
            pd.DataFrame(
                {
                    "date": days,
                    "deliverable_id": key,
                    "scope_issues": scope,
                    "done_issues": done,
                    "scope_points": scope * 2.0,
                    "done_points": done * 2.0,
                }
            )
        )
    burnups = pd.concat(groups, ignore_index=True)
    together = forecast_each(burnups, "deliverable_id", trials=2000)
    for key, group in burnups.groupby("deliverable_id"):
        alone = forecast(group, trials=2000).assign(deliverable_id=key)
        mine = together.loc[together["deliverable_id"] == key].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_dtype=False)
    short = burnups.loc[burnups["date"] < "2026-01-09"]
    assert set(forecast_each(short, "deliverable_id")["note"]) <= {
        "less than a week of history: no forecast possible",
        "all scope is done",
    }
    assert forecast_each(burnups.iloc[0:0], "deliverable_id").empty


def _plain_simulation(
    throughput: np.ndarray, remaining: float, trials: int, seed: int, horizon_weeks: int
) -> np.ndarray:
    """The forecast's trials as first written: floats, weeks drawn with rng.choice."""
    rng = np.random.default_rng(seed)
    needed = np.full(trials, np.inf)
    total = np.zeros(trials)
    open_trials = np.arange(trials)
    block = max(4, math.ceil(2 * remaining / throughput.mean()))
    elapsed = 0
    while open_trials.size and elapsed < horizon_weeks:
        width = min(block, horizon_weeks - elapsed)
        draws = rng.choice(throughput, size=(open_trials.size, width))
        cumulative = total[open_trials, None] + draws.cumsum(axis=1)
        reached = cumulative >= remaining
        finished = reached[:, -1]
        needed[open_trials[finished]] = elapsed + reached[finished].argmax(axis=1) + 1
        total[open_trials] = cumulative[:, -1]
        open_trials = open_trials[~finished]
        elapsed += width
    return needed


def test_the_trials_are_those_of_the_plain_float_simulation() -> None:
    """Whole issues are summed as integers and weeks drawn with rng.integers, for speed: the
    very trials rng.choice over floats gives, so a seed's dates never moved."""
    rng = np.random.default_rng(7)
    cases = [(np.array([0.5, 1.5, 2.0]), 33.3), (np.array([0.0, 0.0, 3.0]), 400.0)]
    for _ in range(60):
        throughput = rng.poisson(rng.uniform(0.2, 6.0), rng.integers(1, 13)).astype(float)
        throughput[0] = max(throughput[0], 1.0)
        cases.append((throughput, float(rng.integers(1, 300))))
    for throughput, remaining in cases:
        assert np.array_equal(
            _simulate(throughput, remaining, 500, 3, 520),
            _plain_simulation(throughput, remaining, 500, 3, 520),
        ), (throughput, remaining)


def test_a_burnup_to_its_last_change_carries_on_to_any_later_day_as_if_worked_out_to_it() -> None:
    board = Board()
    board.issue("A-1", points=5).moved_to(DONE, at=DURING)
    board.issue("A-2", points=3).moved_to(DONE, at=DURING).moved_to(TODO, at=LATER)
    board.issue("A-3", points=2, created=DURING).estimated(4, at=LATER)
    boards, deliverables = {"A-1": 1, "A-2": 1, "A-3": 2}, {"A-1": [7], "A-2": [7, 9], "A-3": [9]}
    to_last = rollup(board, boards, deliverables)

    for until in (LATER + pd.Timedelta(hours=1), AFTER, AFTER + pd.Timedelta(days=40)):
        carried = extend_burnup(to_last, until)
        worked_out = rollup(board, boards, deliverables, until=until)
        assert carried is not None
        pd.testing.assert_frame_equal(carried.programme, worked_out.programme)
        pd.testing.assert_frame_equal(carried.deliverables, worked_out.deliverables)
    assert len(extend_burnup(to_last, AFTER).programme) > len(to_last.programme)  # type: ignore[union-attr]
    # a day before the last change needs the changes themselves
    assert extend_burnup(to_last, DURING) is None
