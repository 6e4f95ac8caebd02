"""The frames the sync hands to the metrics, and the sprint they are measured against.

The sync builds `issues` and `events` from the database; the metrics trust their shape, so a
mismatch is caught here, at the boundary, with a message that names the column, instead of as a
puzzling number on a page.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

ISSUE_COLUMNS: Mapping[str, str] = {
    "issue_id": "int64",
    "key": "str",
    "issue_type": "str",
    "is_subtask": "bool",
    "parent_id": "Int64",
    "status_id": "str",
    "sprint_ids": "str",
    "estimate": "float64",
    "created": "datetime64[UTC]",
}
"""One row per issue, current values: `sprint_ids` is "76,79" or "", `estimate` NaN when unset."""

EVENT_COLUMNS: Mapping[str, str] = {
    "issue_id": "int64",
    "at": "datetime64[UTC]",
    "field": "str",
    "from_value": "str",
    "to_value": "str",
    "seq": "int64",
}
"""Changelog items, normalised at sync time. `field` is "status", "sprint" or "estimate" (others are
ignored); `seq` orders items that share `at`. Values may be None; rows need not be sorted."""

STATE_FIELDS = ("status", "sprint", "estimate")


class FrameContractError(ValueError):
    """A frame that does not follow its column contract; the message names each offending column."""


def _conforms(series: pd.Series, kind: str) -> bool:
    dtype = series.dtype
    if kind == "int64":
        return ptypes.is_integer_dtype(dtype) and not isinstance(
            dtype, pd.api.extensions.ExtensionDtype
        )
    if kind == "Int64":
        return ptypes.is_integer_dtype(dtype)
    if kind == "bool":
        return ptypes.is_bool_dtype(dtype)
    if kind == "float64":
        return ptypes.is_float_dtype(dtype)
    if kind == "str":
        # An all-None column (no estimate was ever cleared) arrives as object: accept it.
        return ptypes.is_string_dtype(dtype) or ptypes.is_object_dtype(dtype)
    # Any resolution: pandas 3 parses strings to microseconds, a database may give nanoseconds.
    return isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"


def validate(frame: pd.DataFrame, contract: Mapping[str, str], name: str) -> None:
    """Raise FrameContractError listing every missing or mistyped column of `frame`."""
    problems = [f"{col}: missing" for col in contract if col not in frame.columns]
    problems += [
        f"{col}: expected {kind}, got {frame[col].dtype}"
        for col, kind in contract.items()
        if col in frame.columns and not _conforms(frame[col], kind)
    ]
    if problems:
        raise FrameContractError(f"{name} frame: " + "; ".join(problems))


@dataclass(frozen=True)
class Sprint:
    """A board's sprint. `complete` is None while the sprint is active or future."""

    id: int
    name: str
    state: str
    start: pd.Timestamp
    end: pd.Timestamp
    complete: pd.Timestamp | None = None
    goal: str | None = None
    #: Jira's id of the board the sprint was created on, where Jira reports it (None: unknown)
    origin_board: int | None = None

    @property
    def started(self) -> bool:
        """Whether the sprint has started. A future sprint has not, even with the dates Jira
        already gives it as planned: a report from a plan would be a report of nothing."""
        return self.state != "future" and not pd.isna(self.start)

    def close(self, now: pd.Timestamp | None = None) -> pd.Timestamp:
        """T1: the completion instant, or `now` for a sprint that is still running."""
        if self.complete is not None:
            return self.complete
        if now is None:
            raise ValueError(f"sprint {self.id} ({self.name}) is not complete: pass `now`")
        return now


def mentions(sprint_ids: pd.Series, sprint_id: int) -> np.ndarray:
    """Whether each comma-separated sprint list ("76,79", "" or None) holds `sprint_id`."""
    if ptypes.is_object_dtype(sprint_ids.dtype):
        sprint_ids = sprint_ids.astype("str")
    text = str(sprint_id)
    found = sprint_ids.str.contains(text, regex=False, na=False).to_numpy(dtype=bool, copy=True)
    # The plain substring test is fast but also finds "76" in "176": confirm its few hits exactly.
    exact = sprint_ids[found].str.contains(rf"(?:^|,){text}(?:,|$)", regex=True)
    found[found] = exact.to_numpy(dtype=bool)
    return found


def mentions_any(sprint_ids: pd.Series, wanted: Sequence[int]) -> np.ndarray:
    """Whether each comma-separated sprint list holds any of the sprints `wanted`: `mentions` of
    several sprints in one pass over the column."""
    if not wanted:
        return np.zeros(len(sprint_ids), dtype=bool)
    if ptypes.is_object_dtype(sprint_ids.dtype):
        sprint_ids = sprint_ids.astype("str")
    either = "|".join(str(int(sprint_id)) for sprint_id in wanted)
    found = sprint_ids.str.contains(rf"(?:^|,)(?:{either})(?:,|$)", regex=True, na=False)
    return found.to_numpy(dtype=bool)


def frames_for_sprints(
    issues: pd.DataFrame, events: pd.DataFrame, sprint_ids: Sequence[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The issues that were ever in any of the sprints (with their sub-tasks) and only their
    events.

    A programme holds far more history than one sprint touches; narrowing first keeps a sprint's
    report proportional to the sprint, not to the programme. An issue belongs if its Sprint field
    holds the sprint now or any Sprint change ever named it (removed issues no longer hold it).
    """
    sprint_events = events.loc[events["field"] == "sprint"]
    named = mentions_any(sprint_events["from_value"], sprint_ids) | mentions_any(
        sprint_events["to_value"], sprint_ids
    )
    ids = pd.Index(issues.loc[mentions_any(issues["sprint_ids"], sprint_ids), "issue_id"]).union(
        pd.Index(sprint_events.loc[named, "issue_id"].unique())
    )
    keep = issues["issue_id"].isin(ids) | issues["parent_id"].isin(ids)
    kept_issues = issues.loc[keep]
    return kept_issues, events.loc[events["issue_id"].isin(kept_issues["issue_id"])]


def frames_for_sprint(
    issues: pd.DataFrame, events: pd.DataFrame, sprint_id: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """frames_for_sprints of one sprint (its plain-substring `mentions` is the faster test for
    one sprint id)."""
    sprint_events = events.loc[events["field"] == "sprint"]
    named = mentions(sprint_events["from_value"], sprint_id) | mentions(
        sprint_events["to_value"], sprint_id
    )
    ids = pd.Index(issues.loc[mentions(issues["sprint_ids"], sprint_id), "issue_id"]).union(
        pd.Index(sprint_events.loc[named, "issue_id"].unique())
    )
    keep = issues["issue_id"].isin(ids) | issues["parent_id"].isin(ids)
    kept_issues = issues.loc[keep]
    return kept_issues, events.loc[events["issue_id"].isin(kept_issues["issue_id"])]
