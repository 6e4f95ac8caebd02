"""A programme's burnup across boards and sites: daily scope and done, overall and per deliverable.

Each board decides "done" by its own right-most column, so the same status can be done on one
council's board and not on another's; the roll-up honours each board's definition.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.metrics.frames import EVENT_COLUMNS, ISSUE_COLUMNS, validate
from tracker.metrics.timeline import first_of_run, issue_timeline

MEASURES = ("scope_points", "done_points", "scope_issues", "done_issues")


@dataclass(frozen=True)
class ProgrammeBurnup:
    """`programme`: one row per day, `date` and MEASURES (cumulative at the end of that day).
    `deliverables`: the same per `deliverable_id`, one row per deliverable and day."""

    programme: pd.DataFrame
    deliverables: pd.DataFrame


def _daily(deltas: pd.DataFrame, days: pd.DatetimeIndex, by: str | None = None) -> pd.DataFrame:
    """Sum the changes per day (and group), then accumulate them over every day of the range."""
    if by is None:
        per_day = deltas.groupby("date")[list(MEASURES)].sum()
        daily = per_day.reindex(days, fill_value=0).cumsum()
    else:
        per_day = deltas.groupby([by, "date"])[list(MEASURES)].sum()
        every_day = pd.MultiIndex.from_product([per_day.index.unique(by), days], names=[by, "date"])
        daily = per_day.reindex(every_day, fill_value=0).groupby(level=by).cumsum()
    return daily.astype({"scope_issues": "int64", "done_issues": "int64"}).reset_index()


def _is_done(
    board: np.ndarray, status: pd.Series, done_status_ids: Mapping[int, frozenset[str]]
) -> np.ndarray:
    """Whether each row's status is in its board's done column, read from a board x status table
    so each of the few distinct statuses is looked up once, not once per row."""
    board_code, boards = pd.factorize(board)
    status_code, statuses = pd.factorize(status)  # a missing status gets -1: the last column
    table = np.array(
        [[s in done_status_ids.get(b, ()) for s in statuses] + [False] for b in boards],
        dtype=bool,
    ).reshape(len(boards), len(statuses) + 1)
    return table[board_code, status_code]


def _empty_burnup() -> ProgrammeBurnup:
    empty = pd.DataFrame({"date": pd.DatetimeIndex([]), **{m: [] for m in MEASURES}})
    return ProgrammeBurnup(empty, empty.assign(deliverable_id=pd.Series(dtype="int64")))


def programme_burnup(
    issues: pd.DataFrame,
    events: pd.DataFrame,
    deliverables: pd.DataFrame,
    done_status_ids: Mapping[int, frozenset[str]],
    *,
    until: pd.Timestamp | None = None,
    tz: str = "Europe/London",
) -> ProgrammeBurnup:
    """Daily cumulative scope and done, in estimate points and in issue counts.

    `issues` carries a `board_id` per row; an issue shown on several boards counts once, judged
    by the first board's done column. `deliverables` maps `issue_id` to `deliverable_id` (an issue
    may serve several deliverables). Sub-tasks are left out, as in the sprint figures. Days are
    calendar days in `tz`, from the first issue's creation to `until` (default: the last change).
    Counts matter as well as points because councils' boards estimate on different scales.
    """
    validate(issues, {**ISSUE_COLUMNS, "board_id": "int64"}, "issues")
    validate(events, EVENT_COLUMNS, "events")
    validate(deliverables, {"issue_id": "int64", "deliverable_id": "int64"}, "deliverables")
    issues = issues.drop_duplicates("issue_id")
    timeline = issue_timeline(issues, events)
    if timeline.empty:  # a programme whose boards hold no issues yet
        return _empty_burnup()

    board = issues.set_index("issue_id")["board_id"].reindex(timeline["issue_id"].to_numpy())
    done = _is_done(board.to_numpy(), timeline["status_id"], done_status_ids)
    points = np.nan_to_num(timeline["estimate"].to_numpy())
    values = np.column_stack([points, np.where(done, points, 0.0), np.ones(len(done)), done])

    issue_ids = timeline["issue_id"].to_numpy()
    first = first_of_run(issue_ids)
    previous = np.vstack([np.zeros((1, len(MEASURES))), values[:-1]])
    deltas = pd.DataFrame(values - np.where(first[:, None], 0.0, previous), columns=list(MEASURES))
    deltas["issue_id"] = issue_ids
    deltas["date"] = timeline["at"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    last_day = deltas["date"].max() if until is None else until.tz_convert(tz).tz_localize(None)
    days = pd.date_range(deltas["date"].min(), last_day.normalize(), freq="D", name="date")
    if days.empty:  # asked for a day before the first issue existed
        return _empty_burnup()
    deltas = deltas.loc[(deltas["date"] <= days[-1]).to_numpy()]

    mapped = deltas.merge(deliverables[["issue_id", "deliverable_id"]], on="issue_id")
    return ProgrammeBurnup(
        programme=_daily(deltas, days),
        deliverables=_daily(mapped, days, by="deliverable_id"),
    )


def extend_burnup(
    burnup: ProgrammeBurnup, until: pd.Timestamp, *, tz: str = "Europe/London"
) -> ProgrammeBurnup | None:
    """A burnup worked out to its last change (`until` None) carried on to `until`: the frames
    programme_burnup(..., until=until) gives from the same issues and events, without them.

    After the last change nothing moves, so each later day repeats the last day's counts, for
    the programme and for every deliverable. None when `until` falls before the last change's
    day: a shorter range drops the later changes, which only the events themselves can say."""
    if burnup.programme.empty:
        return burnup
    last_day = until.tz_convert(tz).tz_localize(None).normalize()
    dates = burnup.programme["date"]
    if last_day < dates.iloc[-1]:
        return None
    if last_day == dates.iloc[-1]:
        return burnup
    days = pd.date_range(dates.iloc[0], last_day, freq="D", name="date")
    programme = burnup.programme.set_index("date").reindex(days, method="ffill").reset_index()
    each = burnup.deliverables
    if each.empty:
        return ProgrammeBurnup(programme, each)
    later = days[len(dates) :]
    lasts = each.groupby("deliverable_id", sort=True).tail(1)
    repeated = lasts.loc[lasts.index.repeat(len(later))].assign(
        date=np.tile(later.to_numpy(), len(lasts))
    )
    deliverables = (
        pd.concat([each, repeated], ignore_index=True)
        .sort_values(["deliverable_id", "date"], kind="stable")
        .reset_index(drop=True)
    )
    return ProgrammeBurnup(programme, deliverables)
