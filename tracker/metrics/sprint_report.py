"""Jira's Sprint Report for one sprint: each issue's outcome and the committed/completed figures.

The rules are those of docs/jira-sprint-semantics.md: figures that differ from Jira's own
report are not trusted, so every rule there has a test in tests/unit/metrics/test_sprint_report.py.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from tracker.metrics.forecast import Measure
from tracker.metrics.frames import (
    EVENT_COLUMNS,
    ISSUE_COLUMNS,
    FrameContractError,
    Sprint,
    frames_for_sprint,
    frames_for_sprints,
    validate,
)
from tracker.metrics.timeline import (
    FIELDS,
    Replay,
    first_of_run,
    issue_timeline,
    previous,
    replay,
    state_at,
)

OUTCOMES = ("completed", "not_completed", "removed", "completed_outside")

DoneAtStart = Literal["include", "exclude"]


@dataclass(frozen=True)
class ReportOptions:
    """The choices where Jira's documentation is silent or where teams differ.

    `done_at_start="exclude"` (the default) leaves issues already done at the start out of
    committed: nobody commits to work that is finished, the burndown then starts at the work that
    can still burn, and an add-on vendor reports Jira's Velocity Chart does the same. "include"
    follows the reference reimplementation and counts them. `include_subtasks` adds sub-task
    estimates to their parent's; Jira ignores sub-task estimates, so it is off by default.
    """

    include_subtasks: bool = False
    done_at_start: DoneAtStart = "exclude"

    def __post_init__(self) -> None:
        if self.done_at_start not in ("include", "exclude"):
            raise ValueError(
                f"done_at_start must be 'include' or 'exclude', not {self.done_at_start!r}"
            )

    def choices(self) -> dict[str, str]:
        """The policy behind the figures, in words a report reader can check against Jira."""
        return {
            "done": "an issue is done when its status is in the board's right-most column",
            "done_at_start": (
                "issues already done when the sprint started are counted in committed"
                if self.done_at_start == "include"
                else "issues already done when the sprint started are left out of committed"
            ),
            "done_before_start_then_removed": (
                "an issue done before the start and removed during the sprint is removed"
            ),
            "subtasks": (
                "sub-task estimates are added to their parent's"
                if self.include_subtasks
                else "sub-tasks are left out, as in Jira"
            ),
            "missing_estimate": "an issue without an estimate counts as 0",
            "added_estimate": "an added issue's initial estimate is its estimate when first added",
        }


@dataclass(frozen=True)
class Total:
    """An estimate sum and the number of issues behind it; `points` is None when the report
    counts issues only (a board without an estimation field): zero would be a false figure."""

    points: float | None
    issues: int


@dataclass(frozen=True)
class SprintReport:
    """One sprint's report.

    `issues`: one row per issue that was in the sprint at any moment in [start, close], with
    `issue_id`, `key`, `outcome` (one of OUTCOMES), `added`, `done_at_start` (done when it entered
    the sprint: at the start, or when added), `initial_estimate` and `final_estimate` (NaN when
    unset). `outcomes`: per outcome, the issue count and the initial and final estimate sums, which
    is what Jira's report lists show. `timeline` is the replayed history the burndown draws from.
    `measure` is "points", or "issues" when the report counts issues only (see `sprint_report`);
    `amount` gives a total in that measure.
    """

    sprint: Sprint
    close: pd.Timestamp
    options: ReportOptions
    issues: pd.DataFrame
    outcomes: pd.DataFrame
    committed: Total
    completed: Total
    added: Total
    removed: Total
    not_completed: Total
    choices: Mapping[str, str]
    timeline: pd.DataFrame = field(repr=False)
    measure: Measure = "points"

    def amount(self, total: Total) -> float:
        """A total in the report's measure: its points, or its issue count."""
        return float(total.issues) if total.points is None else total.points


def _total(frame: pd.DataFrame, mask: pd.Series, column: str, measure: Measure) -> Total:
    points = float(frame.loc[mask, column].fillna(0.0).sum()) if measure == "points" else None
    return Total(points=points, issues=int(mask.sum()))


def _counted(issues: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames with every issue estimated at 1 (sub-tasks at nothing) and no estimate
    changes: replayed, every estimate sum is then an issue count, burndown included."""
    ones = np.where(issues["is_subtask"].to_numpy(), np.nan, 1.0)
    return issues.assign(estimate=ones), events.loc[events["field"] != "estimate"]


def _entries(timeline: pd.DataFrame, start: pd.Timestamp, close: pd.Timestamp) -> pd.Series:
    """When each issue ever in the sprint entered it: the start for those in it then, otherwise
    its first entry in (start, close]. An entry is a row where the issue is in the sprint and was
    not on its previous row; a creation row straight into the sprint has no previous row."""
    at_start = state_at(timeline, start)
    in_at_start = at_start.index[at_start["in_sprint"].to_numpy()]
    was_in = previous(timeline, "in_sprint", False)
    entered = timeline.loc[
        timeline["in_sprint"].to_numpy()
        & ~was_in
        & ((timeline["at"] > start) & (timeline["at"] <= close)).to_numpy()
    ]
    first_entry = entered.drop_duplicates("issue_id").set_index("issue_id")["at"]
    ever_in = in_at_start.union(first_entry.index)
    return first_entry.reindex(ever_in).mask(ever_in.isin(in_at_start), start)


def _outcomes(timeline: pd.DataFrame, start: pd.Timestamp, close: pd.Timestamp) -> pd.DataFrame:
    """Per issue ever in the sprint (indexed by issue_id): outcome, added, done_at_start and the
    initial and final estimates, by the rules of the shared semantics document."""
    entry = _entries(timeline, start, close)
    at_entry = state_at(timeline, entry).reindex(entry.index)
    at_close = state_at(timeline, close).reindex(entry.index)
    status_moves = timeline.loc[
        ((timeline["field"] == "status") & (timeline["at"] <= close)).to_numpy()
    ]
    last_move = status_moves.drop_duplicates("issue_id", keep="last").set_index("issue_id")["at"]
    unchanged = ~(last_move.reindex(entry.index) > entry).to_numpy()

    in_at_close = at_close["in_sprint"].to_numpy(dtype=bool)
    done_at_close = at_close["done"].to_numpy(dtype=bool)
    done_at_entry = at_entry["done"].to_numpy(dtype=bool)
    outcome = np.select(
        [~in_at_close, done_at_close & done_at_entry & unchanged, done_at_close],
        ["removed", "completed_outside", "completed"],
        default="not_completed",
    )
    return pd.DataFrame(
        {
            "outcome": pd.Categorical(outcome, categories=OUTCOMES),
            "added": (entry != start).to_numpy(),
            "done_at_start": done_at_entry,
            "initial_estimate": at_entry["estimate"].to_numpy(dtype=float),
            "final_estimate": at_close["estimate"].to_numpy(dtype=float),
        },
        index=entry.index,
    )


def _one_board(issues: pd.DataFrame) -> None:
    if not issues["issue_id"].is_unique:
        raise FrameContractError(
            "issues frame: an issue_id repeats (a programme's rows per board?): a sprint report"
            " is board-specific, pass one board's issues"
        )


def _listed(outcomes: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The report's issue list: outcomes (indexed by issue_id) with each issue's key (`keys`, by
    issue_id), in the order Jira's report lists them (by outcome, then key)."""
    outcomes.insert(0, "key", keys.reindex(outcomes.index))
    return outcomes.reset_index().sort_values(["outcome", "key"], ignore_index=True)


_STATUS_CODE = FIELDS.tolist().index("status")


def _last_rows(issue_ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """state_at on arrays: per issue with a row where `mask`, its issue id and its last such
    row (issue ids ascending, as a replay is sorted)."""
    rows = np.flatnonzero(mask)
    last = np.roll(first_of_run(issue_ids[rows]), -1)
    return issue_ids[rows[last]], rows[last]


def _replayed_outcomes(
    replayed: Replay,
    in_sprint: np.ndarray,
    done: np.ndarray,
    start: np.datetime64,
    close: np.datetime64,
) -> pd.DataFrame | None:
    """_outcomes read off one replay's arrays for one sprint: the same rows, without building a
    timeline frame per sprint. None when no issue was ever in the sprint, or one has no state at
    its entry or the close, for the caller to take the frame path."""
    ids, at = replayed.issue_id, replayed.at
    start_ids, start_rows = _last_rows(ids, at <= start)
    in_at_start = start_ids[in_sprint[start_rows]]
    was_in = np.empty_like(in_sprint)
    was_in[1:] = in_sprint[:-1]
    was_in[first_of_run(ids)] = False
    entered = np.flatnonzero(in_sprint & ~was_in & (at > start) & (at <= close))
    first = first_of_run(ids[entered])
    entered_ids, entered_at = ids[entered][first], at[entered][first]
    ever_in = np.union1d(in_at_start, entered_ids)
    if not len(ever_in):
        return None
    joined_later = ~np.isin(ever_in, in_at_start)
    entry = np.full(len(ever_in), start, dtype=at.dtype)
    entry[joined_later] = entered_at[np.searchsorted(entered_ids, ever_in[joined_later])]

    position = np.searchsorted(ever_in, ids).clip(max=len(ever_in) - 1)
    tracked = ever_in[position] == ids
    _, entry_rows = _last_rows(ids, tracked & (at <= entry[position]))
    close_ids, close_rows = _last_rows(ids, at <= close)
    close_rows = close_rows[np.isin(close_ids, ever_in)]
    if len(entry_rows) != len(ever_in) or len(close_rows) != len(ever_in):
        return None
    moved_ids, moved_rows = _last_rows(ids, (replayed.code == _STATUS_CODE) & (at <= close))
    moved = np.isin(moved_ids, ever_in)
    last_move = np.full(len(ever_in), np.datetime64("NaT"), dtype=at.dtype)
    last_move[np.searchsorted(ever_in, moved_ids[moved])] = at[moved_rows[moved]]
    unchanged = ~(last_move > entry)

    in_at_close = in_sprint[close_rows]
    done_at_close = done[close_rows]
    done_at_entry = done[entry_rows]
    outcome = np.select(
        [~in_at_close, done_at_close & done_at_entry & unchanged, done_at_close],
        [OUTCOMES.index(o) for o in ("removed", "completed_outside", "completed")],
        default=OUTCOMES.index("not_completed"),
    )
    return pd.DataFrame(
        {
            "outcome": pd.Categorical.from_codes(outcome, categories=OUTCOMES),
            "added": entry != start,
            "done_at_start": done_at_entry,
            "initial_estimate": replayed.estimate[entry_rows].astype(float),
            "final_estimate": replayed.estimate[close_rows].astype(float),
        },
        index=pd.Index(ever_in, name="issue_id"),
    )


def _naive_utc(instant: pd.Timestamp) -> np.datetime64:
    return pd.Timestamp(instant).tz_convert("UTC").tz_localize(None).to_datetime64()


def sprint_outcomes(
    issues: pd.DataFrame,
    events: pd.DataFrame,
    sprints: Sequence[Sprint],
    done_status_ids: frozenset[str],
    options: ReportOptions | None = None,
) -> dict[int, pd.DataFrame]:
    """Each closed sprint's issues and their outcomes, keyed by sprint id, from one replay of the
    board's history: the rows of sprint_report's `issues` (estimates in points) indexed by
    issue_id, without the keys and Jira's listing order. For a caller that needs only the
    outcomes of several sprints of one board (the board pack's delivery rule reads the last
    four of each board), at a fraction of the cost of a report each."""
    options = options or ReportOptions()
    validate(issues, ISSUE_COLUMNS, "issues")
    validate(events, EVENT_COLUMNS, "events")
    issues, events = frames_for_sprints(issues, events, [s.id for s in sprints])
    _one_board(issues)
    replayed = replay(issues, events, include_subtasks=options.include_subtasks)
    done = pd.Series(replayed.status, dtype=object).isin(done_status_ids).to_numpy()
    found = {}
    for sprint in sprints:
        close = sprint.close()
        in_sprint = replayed.in_sprint(sprint.id)
        outcomes = None
        if not (pd.isna(sprint.start) or pd.isna(close) or close < sprint.start):
            outcomes = _replayed_outcomes(
                replayed, in_sprint, done, _naive_utc(sprint.start), _naive_utc(close)
            )
        if outcomes is None:  # the frame path, for the odd sprint
            timeline = issue_timeline(
                issues, events, sprint_id=sprint.id, include_subtasks=options.include_subtasks
            )
            timeline["done"] = timeline["status_id"].isin(done_status_ids).to_numpy()
            outcomes = _outcomes(timeline, sprint.start, close)
        found[sprint.id] = outcomes
    return found


def sprint_report(
    issues: pd.DataFrame,
    events: pd.DataFrame,
    sprint: Sprint,
    done_status_ids: frozenset[str],
    options: ReportOptions | None = None,
    *,
    now: pd.Timestamp | None = None,
    measure: Measure = "points",
) -> SprintReport:
    """Build the sprint report for `sprint` from a board's issues and events.

    The frames may hold the whole board or programme: they are narrowed to the sprint first.
    `now` stands in for the close of a sprint that is still running. `measure="issues"` counts
    issues instead of summing estimates, for a board with no estimation field: every total's
    `points` is then None and the estimate columns NaN, never a row of zeros.
    """
    options = options or ReportOptions()
    validate(issues, ISSUE_COLUMNS, "issues")
    validate(events, EVENT_COLUMNS, "events")
    close = sprint.close(now)
    issues, events = frames_for_sprint(issues, events, sprint.id)
    if measure == "issues":
        issues, events = _counted(issues, events)
    _one_board(issues)
    timeline = issue_timeline(
        issues, events, sprint_id=sprint.id, include_subtasks=options.include_subtasks
    )
    timeline["done"] = timeline["status_id"].isin(done_status_ids).to_numpy()

    report = _listed(_outcomes(timeline, sprint.start, close), issues.set_index("issue_id")["key"])
    if measure == "issues":
        report[["initial_estimate", "final_estimate"]] = np.nan
    return report_from_rows(
        sprint, report, close=close, options=options, measure=measure, timeline=timeline
    )


def report_from_rows(
    sprint: Sprint,
    rows: pd.DataFrame,
    *,
    close: pd.Timestamp,
    options: ReportOptions,
    measure: Measure,
    timeline: pd.DataFrame | None = None,
) -> SprintReport:
    """The report whose per-issue rows (`SprintReport.issues`, in its order) are `rows`.

    Every issue's row depends on its own history only, so the rows of a whole board's report,
    stored once, narrowed to some of its issues (a deliverable's) give that narrower report's
    very figures. Without `timeline` (stored rows) the burndown needs its changes given.
    """
    report = rows.reset_index(drop=True)
    committed = ~report["added"]
    if options.done_at_start == "exclude":
        committed &= ~report["done_at_start"]
    outcome = report["outcome"]
    totals = {
        "committed": _total(report, committed, "initial_estimate", measure),
        "completed": _total(report, outcome == "completed", "final_estimate", measure),
        "added": _total(report, report["added"], "initial_estimate", measure),
        "removed": _total(report, outcome == "removed", "final_estimate", measure),
        "not_completed": _total(report, outcome == "not_completed", "final_estimate", measure),
    }
    by_outcome = report.groupby("outcome", observed=False)
    outcomes = by_outcome[["initial_estimate", "final_estimate"]].sum()
    outcomes.insert(0, "issues", by_outcome.size())
    choices = options.choices()
    if measure == "issues":
        outcomes[["initial_estimate", "final_estimate"]] = np.nan
        choices["missing_estimate"] = (
            "the board has no estimation field: every figure is a count of issues, not points"
        )
    return SprintReport(
        sprint=sprint,
        close=close,
        options=options,
        issues=report,
        outcomes=outcomes,
        **totals,
        choices=choices,
        timeline=timeline if timeline is not None else pd.DataFrame(),
        measure=measure,
    )
