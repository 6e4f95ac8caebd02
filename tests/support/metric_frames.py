"""Tell an issue's story, get the frames the sync would build from it.

    board = Board()
    board.issue("A-1", points=5, sprints="7").moved_to(DONE, at=DURING)
    issues, events = board.frames()

Each issue is described as it was created, then change by change; the builder works out every
changelog item's `from` and the issue's current values, as Jira would hold them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import pandas as pd

from tracker.metrics.frames import EVENT_COLUMNS, ISSUE_COLUMNS, Sprint

TODO, IN_PROGRESS, DONE, CLOSED = "1", "3", "10001", "10002"
DONE_IDS = frozenset({DONE, CLOSED})


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


LONG_AGO = at("2024-01-01 09:00")
BEFORE = at("2024-01-08 09:00")
START = at("2024-01-10 10:00")  # a Wednesday
DURING = at("2024-01-15 11:00")
LATER = at("2024-01-16 11:00")
LATEST = at("2024-01-17 11:00")
CLOSE = at("2024-01-24 09:30")
END = at("2024-01-24 10:00")  # planned end, just after the actual close
AFTER = at("2024-01-27 09:00")

SPRINT = Sprint(id=7, name="Sprint 7", state="closed", start=START, end=END, complete=CLOSE)
NEXT_SPRINT_ID = 8


@dataclass
class Issue:
    issue_id: int
    key: str
    created: pd.Timestamp
    status: str
    sprints: str
    points: float | None
    parent: "Issue | None"
    changes: list[tuple[pd.Timestamp, str, str | None]] = field(default_factory=list)

    def moved_to(self, status: str, *, at: pd.Timestamp) -> Self:
        self.changes.append((at, "status", status))
        return self

    def sprint_field(self, sprints: str, *, at: pd.Timestamp) -> Self:
        """The Sprint field becomes `sprints` ("7,8", "" for none)."""
        self.changes.append((at, "sprint", sprints))
        return self

    def estimated(self, points: float | None, *, at: pd.Timestamp) -> Self:
        self.changes.append((at, "estimate", None if points is None else f"{points:g}"))
        return self


class Board:
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self._noise: list[dict[str, object]] = []

    def issue(
        self,
        key: str,
        *,
        points: float | None = None,
        status: str = TODO,
        sprints: str = str(SPRINT.id),
        created: pd.Timestamp = LONG_AGO,
        parent: Issue | None = None,
    ) -> Issue:
        issue = Issue(len(self.issues) + 101, key, created, status, sprints, points, parent)
        self.issues.append(issue)
        return issue

    def unrelated_change(self, issue: Issue, *, at: pd.Timestamp, field_name: str) -> None:
        """A changelog item for a field the metrics must ignore (e.g. "resolution")."""
        self._noise.append(
            {
                "issue_id": issue.issue_id,
                "at": at,
                "field": field_name,
                "from_value": None,
                "to_value": "x",
            }
        )

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The issues and events frames, events shuffled: the sync does not promise any order."""
        issue_rows, event_rows = [], []
        seq = 0
        for issue in self.issues:
            current = {"status": issue.status, "sprint": issue.sprints}
            current["estimate"] = None if issue.points is None else f"{issue.points:g}"
            for when, name, value in sorted(issue.changes, key=lambda change: change[0]):
                seq += 1
                event_rows.append(
                    {
                        "issue_id": issue.issue_id,
                        "at": when,
                        "field": name,
                        "from_value": current[name] or None,
                        "to_value": value or None,
                        "seq": seq,
                    }
                )
                current[name] = value
            issue_rows.append(
                {
                    "issue_id": issue.issue_id,
                    "key": issue.key,
                    "issue_type": "Sub-task" if issue.parent else "Story",
                    "is_subtask": issue.parent is not None,
                    "parent_id": issue.parent.issue_id if issue.parent else None,
                    "status_id": current["status"],
                    "sprint_ids": current["sprint"] or "",
                    "estimate": np.nan
                    if current["estimate"] is None
                    else float(current["estimate"]),
                    "created": issue.created,
                }
            )
        for noise in self._noise:
            seq += 1
            event_rows.append({**noise, "seq": seq})
        return issues_frame(issue_rows), events_frame(event_rows)


def issues_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(ISSUE_DTYPES))
    return frame.astype(ISSUE_DTYPES)


def events_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(EVENT_DTYPES)).astype(EVENT_DTYPES)
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def _dtypes(contract: Mapping[str, str]) -> dict[str, str]:
    """The frame contract (tracker.metrics.frames) as concrete dtypes to build frames with."""
    return {
        name: "datetime64[ns, UTC]" if kind == "datetime64[UTC]" else kind
        for name, kind in contract.items()
    }


ISSUE_DTYPES = _dtypes(ISSUE_COLUMNS)
EVENT_DTYPES = _dtypes(EVENT_COLUMNS)
