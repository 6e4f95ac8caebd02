"""The synced Jira data as the frames the metrics take (tracker/metrics/frames.py contract).

One query per frame, whatever the number of issues: the metrics are vectorised pandas, and a
query per issue would cost more than the arithmetic. Issues that left the board, or Jira, are
kept (with `removed_at`), because a closed sprint's report still counts them.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import String, func, select, type_coerce
from sqlmodel import Session

from tracker.metrics.frames import STATE_FIELDS, Sprint
from tracker.models import BoardIssue, ChangelogEvent, JiraBoard, JiraIssue, JiraSprint
from tracker.services.delivery.issues import _read_chunked, _read_programme, _scopes


@dataclass(frozen=True)
class BoardFrames:
    """One board: its issues, their state-changing events, its sprints, and what "done" means."""

    issues: pd.DataFrame
    events: pd.DataFrame
    sprints: list[Sprint]
    #: statuses of the board's done column (see `done_column`), as Jira's sprint reports count it
    done_status_ids: frozenset[str]
    #: the done column's name; None when the board maps no status to any column
    done_column: str | None = None
    #: the field the board estimates with; None: it has none, and its figures count issues
    estimate_field: str | None = None


@dataclass(frozen=True)
class ProgrammeFrames:
    """Every board a programme's deliverables reach; an issue has a row per board showing it,
    its events appear once. `board()` gives one board's view."""

    issues: pd.DataFrame
    events: pd.DataFrame
    sprints: dict[int, list[Sprint]]
    done_status_ids: dict[int, frozenset[str]]
    done_columns: dict[int, str | None]
    estimate_fields: dict[int, str | None]

    def board(self, board_id: int) -> BoardFrames:
        issues = self.issues.loc[self.issues["board_id"] == board_id]
        events = self.events.loc[self.events["issue_id"].isin(issues["issue_id"])]
        return BoardFrames(
            issues.reset_index(drop=True),
            events.reset_index(drop=True),
            self.sprints.get(board_id, []),
            self.done_status_ids.get(board_id, frozenset()),
            self.done_columns.get(board_id),
            self.estimate_fields.get(board_id),
        )


#: The contract's columns (tracker.metrics.frames.ISSUE_COLUMNS) first, then the extras pages use.
ISSUE_COLUMNS = [
    *("issue_id", "key", "issue_type", "is_subtask", "parent_id", "status_id", "sprint_ids"),
    *("estimate", "created", "board_id", "epic_key", "components", "labels", "summary"),
    *("status_name", "removed_at", "changelog_missing"),
]
#: What the programme burnup reads (tracker.metrics.rollup): the contract's columns and the board.
LEAN_COLUMNS = [*ISSUE_COLUMNS[: ISSUE_COLUMNS.index("board_id") + 1]]
#: Columns only the full frames carry: the lean read skips them (the lists are JSON to decode).
EXTRA_COLUMNS = frozenset(ISSUE_COLUMNS) - frozenset(LEAN_COLUMNS)


def _utc(values: pd.Series) -> pd.Series:
    """Timestamps read raw (see `_raw`) as datetime64[ns, UTC]."""
    return pd.to_datetime(values, utc=True, format="ISO8601").astype("datetime64[ns, UTC]")


def _raw(column: Any, name: str) -> Any:
    """A timestamp column without its per-row result conversion: SQLite's text or psycopg's
    datetimes go to pandas as they are and are converted in one vectorised step (`_utc`), which
    on a 200,000-event board is most of the time spent reading it."""
    return type_coerce(column, String).label(name)


def _parent_ids(issues: pd.DataFrame, keys: pd.DataFrame) -> pd.Series:
    """Each sub-task's parent issue id (its parent key looked up in `keys`: parent_id, site_id,
    parent_key), NA for the rest."""
    found = issues[["site_id", "parent_key"]].merge(keys, on=["site_id", "parent_key"], how="left")
    return found["parent_id"].where(issues["is_subtask"].to_numpy()).astype("Int64")


def _parents(session: Session, issues: pd.DataFrame) -> pd.Series:
    """Each sub-task's parent issue id (looked up by key within its site), NA for the rest.

    Only the parent keys the sub-tasks name are read (a parent may be on another board, so the
    frame itself cannot say), not every issue of the sites."""
    wanted = issues.loc[issues["is_subtask"].to_numpy() & issues["parent_key"].notna().to_numpy()]
    sites = [int(s) for s in wanted["site_id"].unique()]
    names = sorted({str(k) for k in wanted["parent_key"]})
    query = select(
        JiraIssue.id.label("parent_id"),  # type: ignore[union-attr]
        JiraIssue.site_id,
        JiraIssue.key.label("parent_key"),  # type: ignore[attr-defined]
    ).where(JiraIssue.site_id.in_(sites))  # type: ignore[attr-defined]
    keys = _read_chunked(
        session,
        query,
        JiraIssue.key,
        names,
        {"parent_id": "int64", "site_id": "int64", "parent_key": "str"},
    )
    return _parent_ids(issues, keys)


def _issue_read(removed: Any, lean: bool) -> list[Any]:
    """The columns the issues are read with (`removed`: what their removed_at is)."""
    columns = [
        JiraIssue.id.label("issue_id"),  # type: ignore[union-attr]
        JiraIssue.key,
        JiraIssue.issue_type,
        JiraIssue.is_subtask,
        JiraIssue.site_id,
        JiraIssue.parent_key,
        JiraIssue.status_id,
        JiraIssue.sprint_ids,
        JiraIssue.estimate,
        _raw(JiraIssue.created_at, "created"),
        BoardIssue.board_id,
        JiraIssue.epic_key,
        JiraIssue.components,
        JiraIssue.labels,
        JiraIssue.summary,
        JiraIssue.status_name,
        _raw(removed, "removed_at"),
        JiraIssue.changelog_missing,
    ]
    return [c for c in columns if not lean or c.key not in EXTRA_COLUMNS]


ISSUE_KINDS = {
    "issue_id": "int64",
    "key": "str",
    "issue_type": "str",
    "is_subtask": "bool",
    "status_id": "str",
    "sprint_ids": "str",
    "estimate": "float64",
    "board_id": "int64",
    "summary": "str",
    "status_name": "str",
    "changelog_missing": "int64",
}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: kind for c, kind in ISSUE_KINDS.items() if c in frame.columns})


def _finished(frame: pd.DataFrame, parents: pd.Series, lean: bool) -> pd.DataFrame:
    """The issues as read and typed (a row per board showing one, `created` and `removed_at`
    raw) as the frames give them, with each sub-task's parent id."""
    stamps = {c: _utc(frame[c]) for c in ("created", "removed_at") if c in frame.columns}
    return frame.drop(columns=["site_id", "parent_key"]).assign(parent_id=parents.array, **stamps)[
        LEAN_COLUMNS if lean else ISSUE_COLUMNS
    ]


def _issues(
    session: Session, board_ids: Sequence[int], lean: bool = False, only: Any = None
) -> pd.DataFrame:
    """The boards' issues, a row per board showing one. `lean`: only LEAN_COLUMNS, what the
    programme burnup needs, without the lists and texts the pages show (a third of the read)."""
    removed = func.coalesce(BoardIssue.removed_at, JiraIssue.removed_at)
    columns = _issue_read(removed, lean)
    query = (
        select(*columns)
        .join(BoardIssue, BoardIssue.issue_id == JiraIssue.id)
        .where(BoardIssue.board_id.in_(board_ids))  # type: ignore[attr-defined]
        .order_by(BoardIssue.board_id, JiraIssue.id)
    )
    if only is not None:
        query = query.where(JiraIssue.id.in_(only))  # type: ignore[union-attr]
    frame = _typed(pd.read_sql(query, session.connection()))
    return _finished(frame, _parents(session, frame), lean)


def _events(
    session: Session, board_ids: Sequence[int], fields: Sequence[str], only: Any = None
) -> pd.DataFrame:
    on_boards = select(BoardIssue.issue_id).where(BoardIssue.board_id.in_(board_ids))  # type: ignore[attr-defined]
    if only is not None:
        on_boards = on_boards.where(BoardIssue.issue_id.in_(only))  # type: ignore[attr-defined]
    query = (
        select(
            ChangelogEvent.issue_id,
            _raw(ChangelogEvent.at, "at"),
            ChangelogEvent.field,
            ChangelogEvent.from_value,
            ChangelogEvent.to_value,
            ChangelogEvent.history_id,
            ChangelogEvent.item_index,
        )
        .where(ChangelogEvent.issue_id.in_(on_boards), ChangelogEvent.field.in_(fields))  # type: ignore[attr-defined]
        .order_by(
            ChangelogEvent.issue_id,
            ChangelogEvent.at,
            ChangelogEvent.history_id,
            ChangelogEvent.item_index,
        )
    )
    frame = pd.read_sql(query, session.connection())
    # Rows arrive in (issue, at, history id, item index) order, so a running number orders
    # items that share an instant the way Jira recorded them.
    return frame.drop(columns=["history_id", "item_index"]).assign(
        issue_id=lambda f: f["issue_id"].astype("int64"),
        at=_utc(frame["at"]),
        field=lambda f: f["field"].astype("str"),
        seq=np.arange(len(frame), dtype="int64"),
    )


def _stamp(value: object) -> pd.Timestamp:
    return pd.Timestamp(value) if value is not None else pd.NaT  # type: ignore[return-value]


def _sprint(sprint: JiraSprint) -> Sprint:
    """A sprint row as the metrics take it."""
    return Sprint(
        id=sprint.jira_id,
        name=sprint.name,
        state=sprint.state,
        start=_stamp(sprint.start_at),
        end=_stamp(sprint.end_at),
        complete=pd.Timestamp(sprint.complete_at) if sprint.complete_at else None,
        goal=sprint.goal,
        origin_board=sprint.origin_board_jira_id,
    )


def _sprint_rows(session: Session, board_ids: Sequence[int]) -> list[JiraSprint]:
    """The boards' sprint rows, oldest first, future (undated) ones last."""
    return list(
        session.execute(
            select(JiraSprint)
            .where(JiraSprint.board_id.in_(board_ids))  # type: ignore[union-attr]
            .order_by(JiraSprint.start_at.is_(None), JiraSprint.start_at, JiraSprint.jira_id)  # type: ignore[union-attr]
        ).scalars()
    )


def _sprints_by_board(session: Session, board_ids: Sequence[int]) -> dict[int, list[Sprint]]:
    """Each board's sprints as the metrics take them, oldest first, future (undated) ones last."""
    found: dict[int, list[Sprint]] = {board_id: [] for board_id in board_ids}
    for sprint in _sprint_rows(session, board_ids):
        found[sprint.board_id or 0].append(_sprint(sprint))
    return found


def done_column(columns: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The board's done column: the right-most column that has statuses mapped to it.

    Jira lets a column stay empty (a "Released" column nobody maps, one being set up); it holds
    no issue, so work cannot end there, and taking it as done would make every issue "not
    completed" (docs/jira-sprint-semantics.md). None when no column has a status at all.
    """
    return next((column for column in reversed(columns) if column.get("statuses")), None)


def _assembled(
    boards: Sequence[tuple[int, Any, str | None]],
    issues: pd.DataFrame,
    events: pd.DataFrame,
    sprints: dict[int, list[Sprint]],
) -> ProgrammeFrames:
    """The frames from the boards' (id, columns, estimate field) and their issues, events and
    sprints as read."""
    done = {board_id: done_column(columns or []) for board_id, columns, _ in boards}
    return ProgrammeFrames(
        issues=issues,
        events=events,
        sprints=sprints,
        done_status_ids={
            board_id: frozenset(str(s) for s in column["statuses"]) if column else frozenset()
            for board_id, column in done.items()
        },
        done_columns={
            board_id: str(column["name"]) if column else None for board_id, column in done.items()
        },
        estimate_fields={board_id: field for board_id, _, field in boards},
    )


def _frames(
    session: Session,
    board_ids: Sequence[int],
    fields: Sequence[str] = STATE_FIELDS,
    lean: bool = False,
    only: Any = None,
) -> ProgrammeFrames:
    """The boards' frames; `only`: a select of issue ids, to read just those issues' rows."""
    boards = session.execute(
        select(JiraBoard.id, JiraBoard.columns, JiraBoard.estimate_field_id).where(
            JiraBoard.id.in_(board_ids)  # type: ignore[union-attr]
        )
    ).all()
    return _assembled(
        boards,  # type: ignore[arg-type]
        _issues(session, board_ids, lean, only),
        _events(session, board_ids, fields, only),
        _sprints_by_board(session, board_ids),
    )


def _board_frames(session: Session, board_id: int) -> BoardFrames:
    """The frames of one board (`board_id` is jira_board.id, not Jira's board id)."""
    return _frames(session, [board_id]).board(board_id)


#: Most issue ids `_sprint_frames` passes as one IN list (well within SQLite's and PostgreSQL's
#: parameter limits).
NARROW_LIMIT = 5_000


def _sprint_frames(session: Session, board_id: int, sprint_id: int) -> BoardFrames:
    """The frames of one board narrowed to the issues that can have been in one of its sprints,
    and their sub-tasks: the same sprint report as the whole board's frames give, for a running
    sprint of a few hundred issues on a board of thousands.

    An issue was in the sprint only if its Sprint field names it now or a Sprint change named
    it (the replay takes the field from those alone); a LIKE on the id is a superset of that,
    and an issue never in the sprint adds nothing to its report.
    """
    named = f"%{sprint_id}%"
    changed = select(ChangelogEvent.issue_id).where(
        ChangelogEvent.field == "sprint",
        ChangelogEvent.from_value.like(named) | ChangelogEvent.to_value.like(named),  # type: ignore[union-attr]
    )
    on_board = select(BoardIssue.issue_id).where(BoardIssue.board_id == board_id)
    candidates = select(JiraIssue.id).where(
        JiraIssue.id.in_(on_board),  # type: ignore[union-attr]
        JiraIssue.sprint_ids.like(named) | JiraIssue.id.in_(changed),  # type: ignore[union-attr, attr-defined]
    )
    found = session.execute(
        select(JiraIssue.id, JiraIssue.site_id, JiraIssue.key).where(JiraIssue.id.in_(candidates))  # type: ignore[union-attr]
    ).all()
    keys = {(site, key) for _, site, key in found}
    subtasks = session.execute(
        select(JiraIssue.id, JiraIssue.site_id, JiraIssue.parent_key).where(
            JiraIssue.id.in_(on_board),  # type: ignore[union-attr]
            JiraIssue.is_subtask,
        )
    ).all()
    ids = sorted(
        {int(i) for i, _, _ in found}
        | {int(i) for i, site, parent in subtasks if (site, parent) in keys}
    )
    if len(ids) > NARROW_LIMIT:  # a sprint of most of the board: read it whole
        return _board_frames(session, board_id)
    return _frames(session, [board_id], only=ids).board(board_id)


def _programme_frames(
    session: Session,
    programme_id: int,
    fields: Sequence[str] = STATE_FIELDS,
    lean: bool = False,
    deliverable_ids: Collection[int] | None = None,
) -> tuple[pd.DataFrame, ProgrammeFrames]:
    """The programme's _deliverable_issue_map() and the frames of every board showing an issue
    of its deliverables (of `deliverable_ids` only, when given; the map is still the whole
    programme's).

    Each table is read once: the frames' issues are the rows the map was matched on (every
    issue of the deliverables' sites, read with the frames' columns too), so the issues and
    their lists are not read and decoded a second time, and each sub-task's parent is found
    among them. `fields`: the changelog fields to read; the burnup, which asks no sprint's
    membership, needs only status and estimate changes (sprint changes are most of the rest),
    and with `lean` only the issues' LEAN_COLUMNS.
    """
    read = _read_programme(
        session,
        _scopes(session, programme_id, None),
        issue_columns=[c for c in _issue_read(JiraIssue.removed_at, lean) if c.key != "board_id"],
        board_columns=[JiraBoard.columns, JiraBoard.estimate_field_id],
        shown_columns=[] if lean else [_raw(BoardIssue.removed_at, "board_removed_at")],
    )
    mapped = read.mapping
    if deliverable_ids is not None:
        mapped = mapped.loc[mapped["deliverable_id"].isin(list(deliverable_ids))]
    shown = read.shown
    board_ids = sorted(
        int(b) for b in shown.loc[shown["issue_id"].isin(mapped["issue_id"]), "board_id"].unique()
    )
    issues = (
        shown.loc[shown["board_id"].isin(board_ids)]
        .merge(read.issues, on="issue_id")
        .sort_values(["board_id", "issue_id"], ignore_index=True)
    )
    if not lean:  # its removal from the board, else from Jira (as the boards' read has it)
        removed = issues.pop("board_removed_at")
        issues["removed_at"] = removed.where(removed.notna(), issues["removed_at"])
    issues = _typed(issues)
    keys = read.issues[["issue_id", "site_id", "key"]].rename(
        columns={"issue_id": "parent_id", "key": "parent_key"}
    )
    boards = read.boards.loc[read.boards["board_id"].isin(board_ids)]
    frames = _assembled(
        [
            (int(b), columns, None if pd.isna(field) else str(field))
            for b, columns, field in boards[
                ["board_id", "columns", "estimate_field_id"]
            ].itertuples(index=False)
        ],
        _finished(issues, _parent_ids(issues, keys), lean),
        _events(session, board_ids, fields),
        _sprints_by_board(session, board_ids),
    )
    return read.mapping, frames
