"""The state of every issue after each of its changes, so any instant can be read off a frame.

Jira stores an issue's current fields and a changelog of differences. Every report here asks "what
was this issue's status, sprint membership and estimate at instant T?", so the changelog is replayed
once into a long frame, one row per change, holding the state *after* that change. Reading the
state at T is then "the last row at or before T" for each issue, which is vectorised.
"""

import numpy as np
import pandas as pd

from tracker.metrics.frames import STATE_FIELDS, mentions

_CREATED_ORDER = -2  # an issue's own first row sorts before everything at its creation instant
_SUBTASK_CREATED_ORDER = -1  # a rolled-up sub-task's first row comes after its parent's


_FIELDS = np.array([*STATE_FIELDS, "created"], dtype=object)
_STATUS, _SPRINT, _ESTIMATE, _CREATED = range(len(_FIELDS))


def utc_ns(times: pd.Series) -> np.ndarray:
    """Naive UTC nanoseconds: numpy sorts these natively, but tz-aware values only as objects."""
    return times.to_numpy(dtype="datetime64[ns]")


def _carry(values: np.ndarray, is_set: np.ndarray) -> np.ndarray:
    """Forward-fill `values` from the rows where `is_set`, keeping set values that are NaN/None.

    Each issue's first row sets every field, so the fill never crosses from one issue to the next.
    """
    positions = np.where(is_set, np.arange(len(is_set)), 0)
    return values[np.maximum.accumulate(positions)]


def _estimates(values: np.ndarray) -> np.ndarray:
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)


def _initial(
    issue_ids: np.ndarray, current: np.ndarray, events: dict[str, np.ndarray], code: int
) -> np.ndarray:
    """A field's value before the issue's first change: that change's `from`, else the current."""
    rows = np.flatnonzero(events["code"] == code)
    rows = rows[np.lexsort((events["order"][rows], events["at"][rows], events["issue_id"][rows]))]
    ids = events["issue_id"][rows]
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    ids, before = ids[first], events["from_value"][rows[first]]
    if not len(ids):
        return current
    position = np.searchsorted(ids, issue_ids).clip(max=len(ids) - 1)
    return np.where(ids[position] == issue_ids, before[position], current)


def _rows(issues: pd.DataFrame, events: pd.DataFrame) -> dict[str, np.ndarray]:
    """One row per creation and per state change, as columns; creation rows hold initial values."""
    code = pd.Index(STATE_FIELDS).get_indexer(events["field"])
    keep = code >= 0  # fields other than status, sprint and estimate are not state
    changes = {
        "issue_id": events["issue_id"].to_numpy()[keep],
        "at": utc_ns(events["at"])[keep],
        "order": events["seq"].to_numpy(dtype="int64")[keep],
        "code": code[keep].astype("int64"),
        "from_value": events["from_value"].to_numpy(dtype=object)[keep],
        "to_value": events["to_value"].to_numpy(dtype=object)[keep],
    }
    issue_ids = issues["issue_id"].to_numpy()
    estimate = np.full(len(changes["code"]), np.nan)
    is_estimate = changes["code"] == _ESTIMATE
    estimate[is_estimate] = _estimates(changes["to_value"][is_estimate])
    initial_estimate = _initial(
        issue_ids, issues["estimate"].to_numpy(dtype=object), changes, _ESTIMATE
    )
    return {
        "issue_id": np.concatenate([issue_ids, changes["issue_id"]]),
        "at": np.concatenate([utc_ns(issues["created"]), changes["at"]]),
        "order": np.concatenate([np.full(len(issue_ids), _CREATED_ORDER), changes["order"]]),
        "code": np.concatenate([np.full(len(issue_ids), _CREATED), changes["code"]]),
        "value": np.concatenate(
            [
                _initial(issue_ids, issues["status_id"].to_numpy(dtype=object), changes, _STATUS),
                changes["to_value"],
            ]
        ),
        "sprints": np.concatenate(
            [
                _initial(issue_ids, issues["sprint_ids"].to_numpy(dtype=object), changes, _SPRINT),
                changes["to_value"],
            ]
        ),
        "estimate": np.concatenate([_estimates(initial_estimate), estimate]),
    }


def issue_timeline(
    issues: pd.DataFrame,
    events: pd.DataFrame,
    *,
    sprint_id: int | None = None,
    include_subtasks: bool = False,
) -> pd.DataFrame:
    """Replay the changelog: one row per change, sorted by issue then time, with the state after it.

    Columns: `issue_id`, `source_id` (the issue whose field changed: a sub-task when rolled up),
    `at`, `order` (creation first, then `seq`), `field` ("created", "status", "sprint",
    "estimate"), and the state after the row: `status_id`, `estimate` (NaN when unset; with
    `include_subtasks`, the issue's own estimate plus its sub-tasks', NaN only when all are unset),
    and `in_sprint` (only with `sprint_id`).

    Sub-tasks are left out, as Jira leaves them out of sprint figures, unless `include_subtasks`
    asks for their estimates to be added to their parent's. A row at `created` starts each issue,
    so an issue is absent from the state before it existed (created into a sprint = added).
    """
    is_subtask = issues["is_subtask"].to_numpy()
    parents = issues.loc[~is_subtask]
    own_events = events.loc[events["issue_id"].isin(parents["issue_id"]).to_numpy()]
    rows = _rows(parents, own_events)
    rows["source_id"] = rows["issue_id"]
    if include_subtasks:
        subtasks = issues.loc[is_subtask & issues["parent_id"].isin(parents["issue_id"]).to_numpy()]
        sub_events = events.loc[
            events["issue_id"].isin(subtasks["issue_id"]).to_numpy()
            & (events["field"] == "estimate").to_numpy()
        ]
        sub_rows = _rows(subtasks, sub_events)
        _retarget_to_parents(sub_rows, subtasks, parents)
        rows = {name: np.concatenate([rows[name], sub_rows[name]]) for name in rows}

    ordering = np.lexsort((rows["order"], rows["at"], rows["issue_id"]))
    rows = {name: column[ordering] for name, column in rows.items()}
    code = rows["code"]
    own = rows["source_id"] == rows["issue_id"]
    created = code == _CREATED

    timeline = pd.DataFrame(
        {
            "issue_id": rows["issue_id"],
            "source_id": rows["source_id"],
            "at": pd.DatetimeIndex(rows["at"]).tz_localize("UTC"),
            "order": rows["order"],
            "field": _FIELDS[code],
            "status_id": _carry(rows["value"], own & (created | (code == _STATUS))),
        }
    )
    if sprint_id is not None:
        sets_sprint = own & (created | (code == _SPRINT))
        in_sprint = np.zeros(len(code), dtype=bool)
        in_sprint[sets_sprint] = mentions(pd.Series(rows["sprints"][sets_sprint]), sprint_id)
        timeline["in_sprint"] = _carry(in_sprint, sets_sprint)
    sets_estimate = created | (code == _ESTIMATE)
    estimate = _carry(rows["estimate"], own & sets_estimate)
    if include_subtasks:
        estimate = _add_subtasks(rows, estimate, ~own & sets_estimate)
    timeline["estimate"] = estimate
    return timeline


def _retarget_to_parents(
    sub_rows: dict[str, np.ndarray], subtasks: pd.DataFrame, parents: pd.DataFrame
) -> None:
    """Count a sub-task's rows towards its parent, never earlier than the parent's creation."""
    parent_of = subtasks.set_index("issue_id")["parent_id"].astype("int64")
    parent_created = pd.Series(utc_ns(parents["created"]), index=parents["issue_id"].to_numpy())
    sub_rows["source_id"] = sub_rows["issue_id"]
    sub_rows["issue_id"] = parent_of.reindex(sub_rows["source_id"]).to_numpy()
    sub_rows["at"] = np.maximum(
        sub_rows["at"], parent_created.reindex(sub_rows["issue_id"]).to_numpy()
    )
    sub_rows["order"] = np.where(
        sub_rows["code"] == _CREATED, _SUBTASK_CREATED_ORDER, sub_rows["order"]
    )


def _add_subtasks(
    rows: dict[str, np.ndarray], own_estimate: np.ndarray, sub_set: np.ndarray
) -> np.ndarray:
    """Add the sub-tasks' estimates to each row's own estimate, as they stood at that row.

    Each sub-task's estimate is replayed on its own (its rows in time order), turned into
    differences, and the differences are summed per parent in time order. A count of sub-tasks
    with an estimate is summed the same way, so "nothing estimated" stays NaN rather than 0.
    """
    sub_rows = np.flatnonzero(sub_set)
    by_source = sub_rows[np.argsort(rows["source_id"][sub_rows], kind="stable")]
    source = rows["source_id"][by_source]
    value = rows["estimate"][by_source]
    starts = np.ones(len(by_source), dtype=bool)
    starts[1:] = source[1:] != source[:-1]
    points = np.nan_to_num(value)
    known = (~np.isnan(value)).astype(int)
    delta_points = np.zeros(len(sub_set))
    delta_known = np.zeros(len(sub_set), dtype=int)
    delta_points[by_source] = np.where(starts, points, np.diff(points, prepend=0.0))
    delta_known[by_source] = np.where(starts, known, np.diff(known, prepend=0))

    deltas = pd.DataFrame(
        {"issue_id": rows["issue_id"], "points": delta_points, "known": delta_known}
    )
    totals = deltas.groupby("issue_id", sort=False)[["points", "known"]].cumsum()
    any_known = ~np.isnan(own_estimate) | (totals["known"].to_numpy() > 0)
    return np.where(any_known, np.nan_to_num(own_estimate) + totals["points"].to_numpy(), np.nan)


def previous(timeline: pd.DataFrame, column: str, fill: object) -> np.ndarray:
    """Each row's `column` as it was on the issue's previous row (`fill` on its first row)."""
    values = timeline[column].to_numpy()
    issue_ids = timeline["issue_id"].to_numpy()
    before = np.empty_like(values)
    before[:1] = fill
    before[1:] = values[:-1]
    before[1:][issue_ids[1:] != issue_ids[:-1]] = fill
    return before


def state_at(timeline: pd.DataFrame, at: pd.Timestamp | pd.Series) -> pd.DataFrame:
    """Each existing issue's state at `at`, indexed by issue_id.

    A change at exactly `at` is included: Jira reads a change at the sprint's start as made before
    it and a change at the close as made within it. `at` is one instant for every issue, or a
    Series of instants indexed by issue_id (issues missing from it are left out).
    """
    if isinstance(at, pd.Series):
        at = at.reindex(timeline["issue_id"].to_numpy()).set_axis(timeline.index)
    rows = np.flatnonzero((timeline["at"] <= at).to_numpy())
    issue_ids = timeline["issue_id"].to_numpy()[rows]
    last = np.ones(len(rows), dtype=bool)
    last[:-1] = issue_ids[1:] != issue_ids[:-1]
    return timeline.take(rows[last]).set_index("issue_id")
