"""Each closed sprint's report worked out once, when a sync or import writes its board.

A sprint report replays its board's changelog: on a 5,000-issue board, reading the frames alone
takes about a second, and velocity wants a report per closed sprint. A closed sprint's figures
change only when its issues change (or the board's done column, its estimation field, the
sprint's dates), so the sync's write of each board calls `_store_sprint_reports`, which works out
the closed sprints whose inputs changed since and keeps each one's per-issue rows, burndown steps
and carry-over (tracker.models.StoredSprintReport). The sprint review, the burndown page and
velocity read them back with the default report options (`_stored_reports`); other options, a
running sprint, and a sprint with nothing stored are worked out live from the frames as before,
with the same functions (tests/services/test_stored_reports.py holds the two to the same figures).

Stale means: no row yet; the inputs differ (board columns, estimation field, sprint dates, number
of issues the board has held, `RULES_VERSION`); or an issue of the board updated in Jira since
the row was worked out is one of its issues, or holds its sprint now.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlmodel import Session

from tracker.metrics.burndown import changes
from tracker.metrics.carry_over import carry_over
from tracker.metrics.frames import Sprint, mentions
from tracker.metrics.sprint_report import OUTCOMES, ReportOptions, SprintReport, sprint_report
from tracker.models import BoardIssue, JiraBoard, JiraIssue, JiraSprint, StoredSprintReport
from tracker.services.delivery.frames import _board_frames, _sprint, _sprint_rows, done_column

#: Bump when a rule of tracker.metrics.sprint_report, burndown or carry_over changes what a
#: closed sprint's report says: every stored report is then worked out again at the next sync.
RULES_VERSION = 1

ROW_COLUMNS = ["issue_id", "key", "outcome", "added", "done_at_start"]
ESTIMATES = ["initial_estimate", "final_estimate"]
STEP_COLUMNS = ["at", "event", "key", "delta", "explanation"]


@dataclass(frozen=True)
class StoredReport:
    """A closed sprint's stored report, read back as frames for the whole board. The burndown
    steps and carry-over are read from the payload when first asked for: velocity, which reads
    every closed sprint of a board, asks only for the rows."""

    measure: str
    close: pd.Timestamp
    rows: pd.DataFrame
    payload: Mapping[str, Any] = field(repr=False)

    @cached_property
    def steps(self) -> pd.DataFrame:
        steps = self.payload["steps"]
        return pd.DataFrame(
            {
                "at": pd.to_datetime(np.array(steps["at"], dtype="int64"), utc=True),
                "event": pd.Series(steps["event"], dtype="str"),
                "key": pd.Series(steps["key"], dtype="str"),
                "delta": np.array(steps["delta"], dtype=float),
                "explanation": pd.Series(steps["explanation"], dtype="str"),
            }
        )

    @cached_property
    def destination(self) -> pd.Series:
        """Where each issue not completed went at the close (Int64 sprint id by issue_id)."""
        carry = self.payload["carry"]
        return pd.Series(
            pd.array(carry["to_sprint_id"], dtype="Int64"),
            index=pd.Index(carry["issue_id"], dtype="int64", name="issue_id"),
        )


def _nullable(values: np.ndarray) -> list[Any]:
    return [None if pd.isna(v) else float(v) for v in values]


def _ns(values: pd.Series) -> list[int]:
    return values.to_numpy(dtype="datetime64[ns]").astype("int64").tolist()


def _payload(report: SprintReport, steps: pd.DataFrame, carried: pd.DataFrame) -> dict[str, Any]:
    rows = report.issues
    return {
        "measure": report.measure,
        "close": int(report.close.value),
        "rows": {
            **{
                c: rows[c].astype(str if c in ("key", "outcome") else object).tolist()
                for c in ROW_COLUMNS
            },
            **{c: _nullable(rows[c].to_numpy()) for c in ESTIMATES},
        },
        "steps": {
            "at": _ns(pd.Series(pd.to_datetime(steps["at"], utc=True))),
            "event": steps["event"].astype(str).tolist(),
            "key": steps["key"].astype(str).tolist(),
            "delta": steps["delta"].astype(float).tolist(),
            "explanation": steps["explanation"].astype(str).tolist(),
        },
        "carry": {
            "issue_id": carried["issue_id"].astype(int).tolist(),
            "to_sprint_id": [None if pd.isna(v) else int(v) for v in carried["to_sprint_id"]],
        },
    }


def _read(payload: Mapping[str, Any]) -> StoredReport:
    rows = payload["rows"]
    frame = pd.DataFrame(
        {
            "issue_id": pd.array(rows["issue_id"], dtype="int64"),
            "key": pd.Series(rows["key"], dtype="str"),
            "outcome": pd.Categorical(rows["outcome"], categories=OUTCOMES),
            "added": np.array(rows["added"], dtype=bool),
            "done_at_start": np.array(rows["done_at_start"], dtype=bool),
            **{c: np.array(rows[c], dtype=float) for c in ESTIMATES},
        }
    )
    frame["issue_id"] = frame["issue_id"].astype("int64")
    return StoredReport(
        measure=payload["measure"],
        close=pd.Timestamp(int(payload["close"]), tz="UTC"),
        rows=frame,
        payload=payload,
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else pd.Timestamp(value).isoformat()


def _inputs(board: JiraBoard, sprint: JiraSprint, members: int) -> dict[str, Any]:
    """What a stored report was worked out from, besides its issues' histories."""
    column = done_column(board.columns or [])
    return {
        "rules": RULES_VERSION,
        "done": sorted(str(s) for s in column["statuses"]) if column else None,
        "estimate_field": board.estimate_field_id,
        "start": _iso(sprint.start_at),
        "end": _iso(sprint.end_at),
        "complete": _iso(sprint.complete_at),
        "members": members,
    }


def _closed(sprints: Sequence[JiraSprint]) -> list[JiraSprint]:
    return [s for s in sprints if s.complete_at is not None and s.start_at is not None]


def _stale(
    session: Session,
    board_id: int,
    rows: Sequence[StoredSprintReport],
    sprints: Mapping[int, JiraSprint],
    latest: datetime | None,
) -> set[int]:
    """The stored rows (by sprint row id) that an issue updated in Jira since they were worked
    out touches; the others are marked current up to `latest`."""
    behind = [
        r for r in rows if latest is not None and (r.updated_to is None or r.updated_to < latest)
    ]
    if not behind:
        return set()
    known = [r.updated_to for r in behind if r.updated_to is not None]
    query = (
        select(JiraIssue.id, JiraIssue.sprint_ids, JiraIssue.updated_at)
        .join(BoardIssue, BoardIssue.issue_id == JiraIssue.id)
        .where(BoardIssue.board_id == board_id)
    )
    if len(known) == len(behind):
        query = query.where(JiraIssue.updated_at > min(known))  # type: ignore[operator]
    updated = pd.DataFrame(
        session.execute(query).all(), columns=["issue_id", "sprint_ids", "updated_at"]
    )
    stale = set()
    for row in behind:
        changed = (
            updated
            if row.updated_to is None
            else updated.loc[[u is not None and u > row.updated_to for u in updated["updated_at"]]]
        )
        sprint = sprints[row.sprint_id]
        touched = changed["issue_id"].isin(row.report.get("rows", {}).get("issue_id", []))
        holds = mentions(changed["sprint_ids"].fillna("").astype(str), sprint.jira_id)
        if bool(touched.any()) or bool(holds.any()):
            stale.add(row.sprint_id)
        else:
            row.updated_to = latest
            session.add(row)
    return stale


def _store_sprint_reports(session: Session, board_id: int, now: datetime) -> int:
    """Work out and keep the board's closed sprints' reports that are missing or stale (see the
    module's docstring); drop those of sprints no longer closed. Returns how many were worked
    out. Called by the sync and the import, in the transaction that wrote the board."""
    board = session.get(JiraBoard, board_id)
    if board is None:
        return 0
    closed = _closed(_sprint_rows(session, [board_id]))
    by_row = {s.id: s for s in closed}
    held = list(
        session.execute(
            select(StoredSprintReport).where(StoredSprintReport.board_id == board_id)
        ).scalars()
    )
    gone = [r.id for r in held if r.sprint_id not in by_row]
    if gone:
        session.execute(delete(StoredSprintReport).where(StoredSprintReport.id.in_(gone)))  # type: ignore[union-attr]
    members, latest = session.execute(
        select(func.count(), func.max(JiraIssue.updated_at))
        .select_from(BoardIssue)
        .join(JiraIssue, JiraIssue.id == BoardIssue.issue_id)
        .where(BoardIssue.board_id == board_id)
    ).one()
    inputs = {s.id: _inputs(board, s, int(members)) for s in closed}
    stored = {r.sprint_id: r for r in held if r.sprint_id in by_row}
    same = [r for r in stored.values() if r.inputs == inputs[r.sprint_id]]
    wanted = {s.id for s in closed} - {r.sprint_id for r in same}
    wanted |= _stale(session, board_id, same, by_row, latest)
    if not wanted:
        return 0
    frames = _board_frames(session, board_id)
    if frames.done_column is None:  # no report until the board maps a done column
        session.execute(delete(StoredSprintReport).where(StoredSprintReport.board_id == board_id))
        return 0
    measure = "points" if frames.estimate_field else "issues"
    for sprint_row in closed:
        if sprint_row.id not in wanted:
            continue
        report = sprint_report(
            frames.issues,
            frames.events,
            _sprint(sprint_row),
            frames.done_status_ids,
            measure=measure,
        )
        payload = _payload(report, changes(report), carry_over(report, frames.events))
        row = stored.get(sprint_row.id) or StoredSprintReport(
            sprint_id=sprint_row.id or 0, board_id=board_id, computed_at=now
        )
        row.inputs = inputs[sprint_row.id]
        row.updated_to = latest
        row.computed_at = now
        row.report = payload
        session.add(row)
    session.flush()
    return len(wanted)


def _stored_reports(
    session: Session, board_id: int, sprints: Sequence[Sprint], options: ReportOptions | None
) -> dict[int, StoredReport]:
    """The stored reports of these closed sprints of the board (by Jira sprint id) that still
    match the board and the sprints; none for options other than the default."""
    if (options or ReportOptions()) != ReportOptions():
        return {}
    wanted = {s.id for s in sprints if s.complete is not None}
    if not wanted:
        return {}
    found = session.execute(
        select(JiraSprint, StoredSprintReport)
        .join(StoredSprintReport, StoredSprintReport.sprint_id == JiraSprint.id)
        .where(StoredSprintReport.board_id == board_id, JiraSprint.jira_id.in_(wanted))  # type: ignore[attr-defined]
    ).all()
    if not found:
        return {}
    board = session.get(JiraBoard, board_id)
    assert board is not None
    result = {}
    for sprint, stored in found:
        expected = _inputs(board, sprint, stored.inputs.get("members", 0))
        if stored.inputs == expected:
            result[sprint.jira_id] = _read(stored.report)
    return result
