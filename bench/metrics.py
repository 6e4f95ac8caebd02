"""How long the sprint and programme metrics take on a programme-sized history.

    .venv/bin/python -m bench.metrics              # markdown table of medians
    .venv/bin/python -m bench.metrics --profile    # pyinstrument profile of one run of each

Generates (seeded, vectorised) 20,000 issues and 200,000 changelog events over 10 boards of 8
two-week sprints, with consistent `from` values and current fields, in the frames the sync
builds. The machine is shared and noisy, so each figure is a median, and each is also given as a
ratio to a baseline timed in the same run: `events.groupby("issue_id").size()` on the same frames.
"""

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from tracker.metrics.burndown import burndown
from tracker.metrics.forecast import forecast
from tracker.metrics.frames import Sprint, frames_for_sprint
from tracker.metrics.rollup import programme_burnup
from tracker.metrics.sprint_report import sprint_report

BOARDS, SPRINTS_PER_BOARD, ISSUES, EVENTS, DELIVERABLES = 10, 8, 20_000, 200_000, 40
FIRST_START = pd.Timestamp("2025-01-06 09:00", tz="UTC")
STATUSES = np.array(["1", "3", "10001", "10002"])
DONE_IDS = frozenset({"10001", "10002"})
POINTS = np.array(["1", "2", "3", "5", "8"], dtype=object)


def sprints() -> dict[int, list[Sprint]]:
    by_board: dict[int, list[Sprint]] = {}
    for board in range(1, BOARDS + 1):
        by_board[board] = []
        for k in range(SPRINTS_PER_BOARD):
            start = FIRST_START + pd.Timedelta(weeks=2 * k)
            by_board[board].append(
                Sprint(
                    id=board * 100 + k,
                    name=f"Board {board} sprint {k + 1}",
                    state="closed",
                    start=start,
                    end=start + pd.Timedelta(weeks=2),
                    complete=start + pd.Timedelta(weeks=2, hours=-1),
                )
            )
    return by_board


def programme(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Issues (with board_id), events and the deliverable mapping of a synthetic programme."""
    rng = np.random.default_rng(seed)
    issue_id = np.arange(1, ISSUES + 1, dtype="int64")
    board = (issue_id % BOARDS) + 1
    sprint_index = rng.integers(0, SPRINTS_PER_BOARD, ISSUES)
    home_sprint = board * 100 + sprint_index
    created = FIRST_START + pd.to_timedelta(
        sprint_index * 14 - rng.integers(1, 30, ISSUES), unit="D"
    )
    is_subtask = rng.random(ISSUES) < 0.1
    parent = np.maximum(issue_id - BOARDS, 1)  # an earlier issue of the same board
    is_subtask &= parent != issue_id

    # Each event belongs to an issue and happens around that issue's sprint.
    owner = rng.integers(0, ISSUES, EVENTS)
    window_start = FIRST_START + pd.to_timedelta(sprint_index[owner] * 14 - 3, unit="D")
    at = window_start + pd.to_timedelta(rng.integers(0, 20 * 24 * 60, EVENTS), unit="min")
    at = pd.DatetimeIndex(np.maximum(at, created[owner]))
    field = rng.choice(
        np.array(["status", "sprint", "estimate", "resolution"]), EVENTS, p=[0.5, 0.15, 0.2, 0.15]
    )
    to_status = STATUSES[rng.integers(0, len(STATUSES), EVENTS)]
    own_sprint = home_sprint[owner].astype(str)
    next_sprint = (home_sprint[owner] + 1).astype(str)
    sprint_choice = rng.integers(0, 4, EVENTS)
    to_sprint = np.select(
        [sprint_choice == 0, sprint_choice == 1, sprint_choice == 2],
        [own_sprint, np.char.add(np.char.add(own_sprint, ","), next_sprint), next_sprint],
        default="",
    )
    to_points = np.where(
        rng.random(EVENTS) < 0.1, None, POINTS[rng.integers(0, len(POINTS), EVENTS)]
    )
    to_value = np.select(
        [field == "status", field == "sprint", field == "estimate"],
        [to_status.astype(object), to_sprint.astype(object), to_points],
        default="x",
    )
    to_value = np.where(to_value == "", None, to_value)
    events = pd.DataFrame(
        {"issue_id": issue_id[owner], "at": at, "field": field, "to_value": to_value}
    )
    events = events.sort_values(["issue_id", "at"], kind="stable", ignore_index=True)
    events["seq"] = np.arange(len(events), dtype="int64")

    initial = pd.DataFrame(
        {
            "status": STATUSES[rng.integers(0, 2, ISSUES)],
            "sprint": home_sprint.astype(str),
            "estimate": POINTS[rng.integers(0, len(POINTS), ISSUES)],
        },
        index=issue_id,
    )
    # A first change's `from` is the initial value; later ones chain from the previous `to`.
    by_field = events.groupby(["issue_id", "field"], sort=False)["to_value"]
    first = (by_field.cumcount() == 0).to_numpy()
    from_value = by_field.shift().to_numpy(dtype=object)
    for name in initial.columns:
        rows = first & (events["field"] == name).to_numpy()
        from_value[rows] = initial[name].reindex(events.loc[rows, "issue_id"]).to_numpy()
    events["from_value"] = from_value

    def current(name: str) -> np.ndarray:
        changes = events.loc[events["field"] == name].drop_duplicates("issue_id", keep="last")
        latest = changes.set_index("issue_id")["to_value"]
        changed = initial.index.isin(latest.index)
        return np.where(
            changed, latest.reindex(initial.index).to_numpy(dtype=object), initial[name]
        )

    issues = pd.DataFrame(
        {
            "issue_id": issue_id,
            "key": [f"B{b}-{i}" for b, i in zip(board, issue_id, strict=True)],
            "issue_type": np.where(is_subtask, "Sub-task", "Story"),
            "is_subtask": is_subtask,
            "parent_id": pd.Series(parent, dtype="Int64").where(is_subtask),
            "status_id": current("status"),
            "sprint_ids": pd.Series(current("sprint")).fillna("").to_numpy(),
            "estimate": pd.to_numeric(pd.Series(current("estimate")), errors="coerce").to_numpy(),
            "created": created,
            "board_id": board.astype("int64"),
        }
    )
    issues = issues.astype(
        {"key": "str", "issue_type": "str", "status_id": "str", "sprint_ids": "str"}
    )
    events = events.astype({"field": "str", "from_value": "str", "to_value": "str"})
    events = events.sample(frac=1.0, random_state=seed, ignore_index=True)
    mapping = pd.DataFrame(
        {
            "issue_id": issue_id[~is_subtask],
            "deliverable_id": rng.integers(1, DELIVERABLES + 1, (~is_subtask).sum()),
        }
    ).astype("int64")
    return issues, events, mapping


def median_ms(work: Callable[[], object], repeat: int) -> float:
    work()  # warm caches and lazy imports
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="profile one run with pyinstrument")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    issues, events, mapping = programme()
    by_board = sprints()
    sprint = by_board[3][4]
    done_by_board = dict.fromkeys(by_board, DONE_IDS)
    board_issues = issues.loc[issues["board_id"] == 3]
    sprint_issues, sprint_events = frames_for_sprint(issues, events, sprint.id)
    weekly = pd.Timestamp("2025-04-30", tz="UTC")

    def report_and_burndown(frames: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
        return burndown(sprint_report(*frames, sprint, DONE_IDS))

    def programme_and_forecast() -> pd.DataFrame:
        rollup = programme_burnup(issues, events, mapping, done_by_board, until=weekly)
        return forecast(rollup.programme)

    workloads: list[tuple[str, Callable[[], object], int, str]] = [
        (
            'baseline: `events.groupby("issue_id").size()`',
            lambda: events.groupby("issue_id").size(),
            args.repeat,
            "",
        ),
        (
            "sprint report + burndown, whole programme's frames",
            lambda: report_and_burndown((issues, events)),
            args.repeat,
            "< 50 ms",
        ),
        (
            "sprint report + burndown, one board's frames",
            lambda: report_and_burndown(
                (board_issues, events.loc[events["issue_id"].isin(board_issues["issue_id"])])
            ),
            args.repeat,
            "< 50 ms",
        ),
        (
            "sprint report + burndown, pre-filtered to the sprint",
            lambda: report_and_burndown((sprint_issues, sprint_events)),
            args.repeat,
            "< 50 ms",
        ),
        ("programme burnup + forecast (10,000 trials)", programme_and_forecast, 7, "< 500 ms"),
    ]
    if args.profile:
        from pyinstrument import Profiler

        for name, work, _, _ in workloads[1:]:
            profiler = Profiler()
            with profiler:
                work()
            print(f"## {name}\n")
            print(profiler.output_text(color=False, show_all=False))
        return

    print(
        f"{len(issues):,} issues, {len(events):,} events, {BOARDS} boards x {SPRINTS_PER_BOARD}"
        f" sprints; sprint {sprint.id} has {len(sprint_issues):,} issues and"
        f" {len(sprint_events):,} events.\n"
    )
    print("| workload | median ms | x baseline | target |")
    print("|---|---:|---:|---|")
    baseline = None
    for name, work, repeat, target in workloads:
        ms = median_ms(work, repeat)
        baseline = baseline or ms
        print(f"| {name} | {ms:.1f} | {ms / baseline:.1f} | {target} |")


if __name__ == "__main__":
    main()
