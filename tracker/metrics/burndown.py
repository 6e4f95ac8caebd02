"""Jira's Burndown Chart for one sprint, its burnup twin and the guideline.

The remaining line starts at the committed total and, as Atlassian specified the chart
(JSWSERVER-4768), "does not compensate for changes after the start": work burns when it reaches the
done column, comes back when reopened, and everything else (issues added or removed, estimates
changed) is a scope change, shown as its own step with its own explanation.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.metrics.frames import Sprint
from tracker.metrics.sprint_report import SprintReport
from tracker.metrics.timeline import previous, utc_ns

BURNS = ("burn", "reopen")
SCOPE_CHANGES = ("added", "removed", "estimate_change")
EVENTS = ("start", *BURNS, *SCOPE_CHANGES, "end")


def _points(value: float) -> str:
    return f"{value:g}"


def _unit(value: float, measure: str) -> str:
    """An amount of work in the report's measure: "5 points", "1 issue"."""
    if measure == "points":
        return f"{value:g} points"
    return f"{value:g} issue{'' if value == 1 else 's'}"


def changes(report: SprintReport) -> pd.DataFrame:
    """Every change during the sprint that moved the remaining work, or the sprint's scope:
    `at`, `event`, `key`, `delta`, `explanation`, in time order. Each row is one issue's (its
    `key`), so a board's changes narrowed to some of its issues are those issues' changes."""
    timeline = report.timeline
    was_in = previous(timeline, "in_sprint", False)
    was_done = previous(timeline, "done", False)
    was_estimate = previous(timeline, "estimate", np.nan)
    is_in = timeline["in_sprint"].to_numpy()
    is_done = timeline["done"].to_numpy()
    estimate = timeline["estimate"].to_numpy()
    remaining = np.where(is_in & ~is_done, np.nan_to_num(estimate), 0.0)
    was_remaining = np.where(was_in & ~was_done, np.nan_to_num(was_estimate), 0.0)
    delta = remaining - was_remaining
    event = np.select(
        [
            is_in & ~was_in,
            ~is_in & was_in,
            is_in & is_done & ~was_done,
            is_in & ~is_done & was_done,
            is_in & (delta != 0),
        ],
        ["added", "removed", "burn", "reopen", "estimate_change"],
        default="",
    )
    during = ((timeline["at"] > report.sprint.start) & (timeline["at"] <= report.close)).to_numpy()
    keep = np.flatnonzero(during & (event != ""))
    keep = keep[np.lexsort((timeline["order"].to_numpy()[keep], utc_ns(timeline["at"])[keep]))]
    keys = report.issues.set_index("issue_id")["key"]
    key = keys.reindex(timeline["issue_id"].to_numpy()[keep]).to_list()
    rolled_up = (timeline["source_id"] != timeline["issue_id"]).to_numpy()[keep]
    before, after = np.nan_to_num(was_estimate[keep]), np.nan_to_num(estimate[keep])
    return pd.DataFrame(
        {
            "at": timeline["at"].take(keep).array,
            "event": pd.array(event[keep], dtype="str"),
            "key": pd.array(key, dtype="str"),
            "delta": delta[keep],
            "explanation": pd.array(
                list(
                    map(
                        _explain,
                        event[keep],
                        key,
                        delta[keep],
                        before,
                        after,
                        rolled_up,
                        [report.measure] * len(keep),
                    )
                ),
                dtype="str",
            ),
        }
    )


def _explain(
    event: str,
    key: str,
    delta: float,
    before: float,
    after: float,
    rolled_up: bool,
    measure: str,
) -> str:
    if event == "burn":
        return f"{key} reached done: {_unit(-delta, measure)} burned"
    if event == "reopen":
        return f"{key} reopened: {_unit(delta, measure)} back to do"
    if event == "added":
        if delta == 0:
            return f"{key} added to the sprint with nothing left to do: scope unchanged"
        return f"{key} added to the sprint: scope +{_points(delta)}"
    if event == "removed":
        if delta == 0:
            return f"{key} removed from the sprint with nothing left to do: scope unchanged"
        return f"{key} removed from the sprint: scope −{_points(-delta)}"
    source = "a sub-task's estimate changed, so " if rolled_up else ""
    return f"{source}{key} estimate {_points(before)} → {_points(after)}: scope {delta:+g}"


def burndown(report: SprintReport, steps: pd.DataFrame | None = None) -> pd.DataFrame:
    """The remaining-work step series of the report's sprint, one row per step, in time order.

    Columns: `at`, `remaining` (after the row), `event` (one of EVENTS), `key`, `delta` and
    `explanation` (hover text). It starts at the committed total at the start and ends at the
    planned end, or at the actual close when that is later (for a running sprint, at `now`).
    When the report counts issues already done at the start in committed, they burn at the start,
    so the line still ends at the work left undone. `steps` are the report's `changes()` when
    worked out already (a stored report has no timeline to replay).
    """
    sprint, committed = report.sprint, report.amount(report.committed)
    head = {
        "at": [sprint.start],
        "event": ["start"],
        "key": [None],
        "delta": [0.0],
        "explanation": [f"Sprint started: {_unit(committed, report.measure)} committed"],
    }
    if report.options.done_at_start == "include":
        done = report.issues.loc[~report.issues["added"] & report.issues["done_at_start"]]
        keys = done["key"].to_list()
        head["at"] += [sprint.start] * len(keys)
        head["event"] += ["burn"] * len(keys)
        head["key"] += keys
        burned = (
            done["initial_estimate"].fillna(0.0)
            if report.measure == "points"
            else pd.Series(1.0, index=done.index)  # counted in issues: each one burns 1
        )
        head["delta"] += (-burned).to_list()
        head["explanation"] += [f"{key} was already done at the start" for key in keys]
    moves = changes(report) if steps is None else steps
    final = committed + sum(head["delta"]) + moves["delta"].sum()
    running = sprint.complete is None
    end = {
        "at": [report.close if running else max(sprint.end, report.close)],
        "event": ["end"],
        "key": [None],
        "delta": [0.0],
        "explanation": [
            f"{'Now' if running else 'Sprint closed'}: {_unit(final, report.measure)} not done"
        ],
    }
    frame = pd.concat([pd.DataFrame(head), moves, pd.DataFrame(end)], ignore_index=True)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame.insert(1, "remaining", committed + frame["delta"].cumsum())
    return frame


def burnup(burndown_frame: pd.DataFrame) -> pd.DataFrame:
    """The same sprint as a burnup: `done` climbs with burns, `scope` moves with scope changes.

    Derived from the burndown so the two charts can never disagree: remaining = scope − done.
    """
    delta = burndown_frame["delta"]
    is_burn = burndown_frame["event"].isin(BURNS)
    scope = burndown_frame["remaining"].iloc[0] + delta.where(~is_burn, 0.0).cumsum()
    done = (-delta).where(is_burn, 0.0).cumsum()
    return pd.DataFrame({"at": burndown_frame["at"], "scope": scope, "done": done})


def guideline(
    sprint: Sprint,
    committed: float,
    non_working_weekdays: Sequence[int] = (5, 6),
    tz: str = "Europe/London",
) -> pd.DataFrame:
    """The ideal line: committed at the start to zero at the planned end, flat on non-working days.

    Days are the board's calendar days in `tz` (weekday numbers as in Python, Monday = 0), so a
    weekend starts at local midnight. A sprint with no working time drops at its planned end.
    """
    start, end = sprint.start.tz_convert(tz), sprint.end.tz_convert(tz)
    midnights = pd.date_range(start.normalize() + pd.Timedelta(days=1), end, freq="D")
    points = pd.DatetimeIndex([start, *midnights[midnights < end], end])
    seconds = (points[1:] - points[:-1]).total_seconds().to_numpy()
    working = ~np.isin(points[:-1].day_of_week, list(non_working_weekdays))
    worked = np.concatenate([[0.0], np.cumsum(seconds * working)])
    if worked[-1] == 0:
        at = [sprint.start, sprint.end, sprint.end]
        return pd.DataFrame({"at": at, "remaining": [committed, committed, 0.0]})
    remaining = committed * (1.0 - worked / worked[-1])
    return pd.DataFrame({"at": points.tz_convert("UTC"), "remaining": remaining})


@dataclass(frozen=True)
class Standing:
    """Where a running sprint stands at `now`: the work left, what the guideline expects to be
    left by now, the days to its planned end, and whether it is on track (no more left than the
    guideline, rounded up to a whole point or issue: work finishes in whole pieces). "2 completed
    so far" cannot tell a board whether to worry; this can."""

    remaining: float
    committed: float
    expected: float
    days_left: int
    working_days_left: int
    measure: str

    @property
    def on_track(self) -> bool:
        return self.remaining <= math.ceil(round(self.expected, 6))

    def sentence(self) -> str:
        unit = "points" if self.measure == "points" else "issues"
        days = f"{self.days_left} day{'' if self.days_left == 1 else 's'}"
        working = f"{self.working_days_left} working"
        verdict = (
            "on track"
            if self.on_track
            else f"behind: {self.remaining - self.expected:.1f} {unit} more left than planned"
        )
        return (
            f"{_points(self.remaining)} of {_points(self.committed)} {unit} left with {days} "
            f"({working}) to the planned end; the guideline expects {self.expected:.1f} left by "
            f"now: {verdict}."
        )


def standing(
    burndown_frame: pd.DataFrame,
    guideline_frame: pd.DataFrame,
    sprint: Sprint,
    committed: float,
    measure: str,
    now: pd.Timestamp,
    non_working_weekdays: Sequence[int] = (5, 6),
    tz: str = "Europe/London",
) -> Standing:
    """A running sprint's standing at `now`, from its burndown and guideline (see Standing)."""
    steps = burndown_frame.loc[burndown_frame["at"] <= now, "remaining"]
    remaining = float(steps.iloc[-1]) if len(steps) else committed
    at = utc_ns(guideline_frame["at"]).astype("int64")
    now_ns = now.tz_convert("UTC").tz_localize(None).to_datetime64().astype("datetime64[ns]")
    expected = float(
        np.interp(now_ns.astype("int64"), at, guideline_frame["remaining"].to_numpy(dtype=float))
    )
    today, end = now.tz_convert(tz).date(), sprint.end.tz_convert(tz).date()
    days = pd.date_range(today, end, freq="D", inclusive="right")
    working = int((~np.isin(days.day_of_week, list(non_working_weekdays))).sum())
    return Standing(
        remaining=remaining,
        committed=committed,
        expected=expected,
        days_left=max((end - today).days, 0),
        working_days_left=working,
        measure=measure,
    )
