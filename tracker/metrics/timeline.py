"""The state of every issue after each of its changes, so any instant can be read off a frame.

Jira stores an issue's current fields and a changelog of differences. Every report here asks "what
was this issue's status, sprint membership and estimate at instant T?", so the changelog is replayed
once into a long frame, one row per change, holding the state *after* that change. Reading the
state at T is then "the last row at or before T" for each issue, which is vectorised.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from tracker.metrics.frames import STATE_FIELDS

_CREATED_ORDER = -2  # an issue's own first row sorts before everything at its creation instant
_SUBTASK_CREATED_ORDER = -1  # a rolled-up sub-task's first row comes after its parent's
#: the `field` of a timeline row, by its code
FIELDS = np.array([*STATE_FIELDS, "created"], dtype=object)
_STATUS, _SPRINT, _ESTIMATE, _CREATED = range(len(FIELDS))


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


def first_of_run(ids: np.ndarray) -> np.ndarray:
    """Marks the first of each run of equal ids: an issue's first row in a frame sorted by issue."""
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    return first


def _sort(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Order rows by issue, then time; an issue's own creation row first even if a clock-skewed
    change claims to precede it, since every later row carries its values forward from there."""
    later = (rows["code"] != _CREATED) | (rows["order"] != _CREATED_ORDER)
    ordering = np.lexsort((rows["order"], rows["at"], later, rows["issue_id"]))
    return {name: column[ordering] for name, column in rows.items()}


def _rows(issues: pd.DataFrame, events: pd.DataFrame, wanted: np.ndarray) -> dict[str, np.ndarray]:
    """The creation row of each issue and a row per state change among the `wanted` events,
    sorted (see _sort). A creation row holds each field's value before the issue's first change
    of it: that change's `from`, else the issue's current value."""
    field = events["field"]
    code = np.select(
        [(field == name).to_numpy(dtype=bool) for name in STATE_FIELDS],
        [_STATUS, _SPRINT, _ESTIMATE],
        default=-1,  # any other field is not state
    )
    changes = np.flatnonzero(wanted & (code >= 0))
    count = len(issues)
    rows = _sort(
        {
            "issue_id": np.concatenate(
                [issues["issue_id"].to_numpy(), events["issue_id"].to_numpy()[changes]]
            ),
            "at": np.concatenate([utc_ns(issues["created"]), utc_ns(events["at"])[changes]]),
            "order": np.concatenate(
                [np.full(count, _CREATED_ORDER), events["seq"].to_numpy(dtype="int64")[changes]]
            ),
            "code": np.concatenate([np.full(count, _CREATED), code[changes]]),
            # which issue (creation rows) or event (change rows) each row comes from
            "source_row": np.concatenate([np.arange(count), changes]),
        }
    )
    code, source_row = rows["code"], rows.pop("source_row")
    created = code == _CREATED
    creation, change = source_row[created], source_row[~created]
    status = np.empty(len(code), dtype=object)
    status[~created] = events["to_value"].take(change).to_numpy(dtype=object)
    estimate = np.full(len(code), np.nan)
    estimate[code == _ESTIMATE] = _estimates(status[code == _ESTIMATE])
    estimate[created] = issues["estimate"].to_numpy(dtype=float)[creation]
    sprints = status.copy()  # a change row's `to`, read as whichever field it changed
    status[created] = issues["status_id"].to_numpy(dtype=object)[creation]
    sprints[created] = issues["sprint_ids"].to_numpy(dtype=object)[creation]

    creation_row = _carry(np.arange(len(code)), created)
    for field_code, values in ((_STATUS, status), (_SPRINT, sprints), (_ESTIMATE, estimate)):
        of_field = np.flatnonzero(code == field_code)
        firsts = of_field[first_of_run(rows["issue_id"][of_field])]
        before = events["from_value"].take(source_row[firsts]).to_numpy(dtype=object)
        values[creation_row[firsts]] = _estimates(before) if field_code == _ESTIMATE else before
    rows.update(status=status, sprints=sprints, estimate=estimate)
    return rows


@dataclass(frozen=True)
class Replay:
    """issue_timeline's rows as arrays, before any sprint is chosen: one replay of a board's
    history serves every sprint read off it (`in_sprint`), as the board pack's reports do.

    `at` is naive UTC nanoseconds; `status` and `estimate` are the state after each row; `code`
    indexes `FIELDS`; `sprints` holds the raw Sprint field where `sets_sprint` (the issue's own
    creation and Sprint changes), for `in_sprint` to read.
    """

    issue_id: np.ndarray
    source_id: np.ndarray
    at: np.ndarray
    order: np.ndarray
    code: np.ndarray
    status: np.ndarray
    estimate: np.ndarray
    sets_sprint: np.ndarray
    sprints: np.ndarray

    @cached_property
    def _named(self) -> tuple[np.ndarray, np.ndarray]:
        """Each sprint id (as text) that a row setting the Sprint field names, and that row:
        the fields split once, so reading each further sprint off the replay is one equality
        test. A sprint is named when it is one of the field's comma-separated ids, as `mentions`
        reads it."""
        fields = pd.Series(self.sprints[self.sets_sprint]).astype("str")
        named = fields.str.split(",").explode()
        rows = np.flatnonzero(self.sets_sprint)[named.index.to_numpy()]
        return named.to_numpy(dtype=object), rows

    def in_sprint(self, sprint_id: int) -> np.ndarray:
        """Whether the issue was in the sprint after each row."""
        ids, rows = self._named
        in_sprint = np.zeros(len(self.code), dtype=bool)
        in_sprint[rows[ids == str(sprint_id)]] = True
        return _carry(in_sprint, self.sets_sprint)


def replay(issues: pd.DataFrame, events: pd.DataFrame, *, include_subtasks: bool = False) -> Replay:
    """Replay the changelog into arrays (see issue_timeline for the rules)."""
    is_subtask = issues["is_subtask"].to_numpy()
    parents = issues.loc[~is_subtask]
    rows = _rows(parents, events, events["issue_id"].isin(parents["issue_id"]).to_numpy())
    rows["source_id"] = rows["issue_id"]
    if include_subtasks:
        subtasks = issues.loc[is_subtask & issues["parent_id"].isin(parents["issue_id"]).to_numpy()]
        of_subtasks = (
            events["issue_id"].isin(subtasks["issue_id"]) & (events["field"] == "estimate")
        ).to_numpy()
        sub_rows = _rows(subtasks, events, of_subtasks)
        _retarget_to_parents(sub_rows, subtasks, parents)
        rows = _sort({name: np.concatenate([rows[name], sub_rows[name]]) for name in rows})
    code = rows["code"]
    own = rows["source_id"] == rows["issue_id"]
    created = code == _CREATED
    sets_estimate = created | (code == _ESTIMATE)
    estimate = _carry(rows["estimate"], own & sets_estimate)
    if include_subtasks:
        estimate = _add_subtasks(rows, estimate, ~own & sets_estimate)
    return Replay(
        issue_id=rows["issue_id"],
        source_id=rows["source_id"],
        at=rows["at"],
        order=rows["order"],
        code=code,
        status=_carry(rows["status"], own & (created | (code == _STATUS))),
        estimate=estimate,
        sets_sprint=own & (created | (code == _SPRINT)),
        sprints=rows["sprints"],
    )


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
    replayed = replay(issues, events, include_subtasks=include_subtasks)
    timeline = pd.DataFrame(
        {
            "issue_id": replayed.issue_id,
            "source_id": replayed.source_id,
            "at": pd.DatetimeIndex(replayed.at).tz_localize("UTC"),
            "order": replayed.order,
            "field": pd.Categorical.from_codes(replayed.code, categories=FIELDS),
            "status_id": pd.Series(replayed.status, dtype=object),
        }
    )
    if sprint_id is not None:
        timeline["in_sprint"] = replayed.in_sprint(sprint_id)
    timeline["estimate"] = replayed.estimate
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
    starts = first_of_run(source)
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
    before = np.empty_like(values)
    before[1:] = values[:-1]
    before[first_of_run(timeline["issue_id"].to_numpy())] = fill
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
    last = np.roll(first_of_run(timeline["issue_id"].to_numpy()[rows]), -1)
    return timeline.take(rows[last]).set_index("issue_id")
