"""Which synced Jira issues belong to which deliverable, from the deliverables' scope rules.

Scope values (DeliverableScope.value) by kind:
- board: Jira's board id on the scope's site; every issue the board shows (or showed).
- epic: an epic key; the epic itself and issues whose epic link or parent is it.
- component / label: a component name / a label, matched exactly.
- jql: any JQL, evaluated by Jira at each sync of the site (jira_sync/jql_scopes.py).
Sub-tasks follow their parent, so a sprint's sub-task work stays with its story's deliverable.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlmodel import Session

from tracker.models import (
    BoardIssue,
    Deliverable,
    DeliverableJqlMatch,
    DeliverableScope,
    JiraBoard,
    JiraIssue,
    ScopeKind,
)

COLUMNS = ["issue_id", "deliverable_id"]


def scope_rules(programme_id: int | None = None) -> Select[Any]:
    """The deliverables' scope rules (id, deliverable, site, kind, value) in id order, a
    programme's or every one: what the figures' cache keys and the stored burnup's inputs
    compare, so that editing any rule changes them."""
    query = select(
        DeliverableScope.id,
        DeliverableScope.deliverable_id,
        DeliverableScope.site_id,
        DeliverableScope.kind,
        DeliverableScope.value,
    ).order_by(DeliverableScope.id)
    if programme_id is None:
        return query
    return query.join(Deliverable, Deliverable.id == DeliverableScope.deliverable_id).where(
        Deliverable.programme_id == programme_id
    )


def _scope_boards(scopes: pd.DataFrame, boards: pd.DataFrame) -> pd.DataFrame:
    """The board scopes with their boards' board_id (a board not synced matches none)."""
    wanted = scopes.loc[scopes["value"].str.strip().str.isdigit()].assign(
        jira_id=lambda f: f["value"].str.strip().astype("int64")
    )
    return wanted.merge(boards[["board_id", "site_id", "jira_id"]], on=["site_id", "jira_id"])


def _by_board(scopes: pd.DataFrame, boards: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    return _scope_boards(scopes, boards).merge(shown[["board_id", "issue_id"]], on="board_id")[
        COLUMNS
    ]


def _no_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in COLUMNS})


def _by_epic(scopes: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    epics = scopes.assign(value=scopes["value"].str.strip().str.upper())
    matches = [
        epics.merge(issues, left_on=["site_id", "value"], right_on=["site_id", column])
        for column in ("key", "epic_key", "parent_key")
    ]
    return pd.concat([m[COLUMNS] for m in matches])


def _by_list(scopes: pd.DataFrame, issues: pd.DataFrame, column: str) -> pd.DataFrame:
    values = issues[["issue_id", "site_id", column]].explode(column).dropna(subset=[column])
    return scopes.merge(values, left_on=["site_id", "value"], right_on=["site_id", column])[COLUMNS]


def _by_jql(scopes: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    return scopes.merge(matches, on="scope_id")[COLUMNS]


def _boards(session: Session, sites: list[int], columns: Sequence[Any] = ()) -> pd.DataFrame:
    """The sites' boards: board_id (jira_board.id), site_id, jira_id and `columns`."""
    return pd.read_sql(
        select(
            JiraBoard.id.label("board_id"),  # type: ignore[union-attr]
            JiraBoard.site_id,
            JiraBoard.jira_id,
            *columns,
        ).where(JiraBoard.site_id.in_(sites)),  # type: ignore[attr-defined]
        session.connection(),
    ).astype({"board_id": "int64", "site_id": "int64", "jira_id": "int64"})


def _shown(session: Session, board_ids: list[int], columns: Sequence[Any] = ()) -> pd.DataFrame:
    """Which of these boards show which issues (board_id, issue_id, `columns`), removed or not."""
    return pd.read_sql(
        select(BoardIssue.board_id, BoardIssue.issue_id, *columns).where(
            BoardIssue.board_id.in_(board_ids)  # type: ignore[attr-defined]
        ),
        session.connection(),
    ).astype({"board_id": "int64", "issue_id": "int64"})


def _jql_matches(session: Session, scopes: pd.DataFrame) -> pd.DataFrame:
    ids = [int(i) for i in scopes["scope_id"]]
    return pd.read_sql(
        select(DeliverableJqlMatch.scope_id, DeliverableJqlMatch.issue_id).where(
            DeliverableJqlMatch.scope_id.in_(ids)  # type: ignore[attr-defined]
        ),
        session.connection(),
    )


#: Rows per IN (...) list: far below SQLite's and PostgreSQL's parameter limits.
CHUNK = 900


def _issue_columns(lists: bool) -> list[Any]:
    columns = [
        JiraIssue.id.label("issue_id"),  # type: ignore[union-attr]
        JiraIssue.site_id,
        JiraIssue.key,
        JiraIssue.epic_key,
        JiraIssue.parent_key,
        JiraIssue.is_subtask,
    ]
    return [*columns, JiraIssue.components, JiraIssue.labels] if lists else columns


#: the dtypes of the issue map's reads
_ISSUE_DTYPES = {"issue_id": "int64", "site_id": "int64"}


def _read_chunked(
    session: Session, query: Any, column: Any, values: list[Any], dtypes: Mapping[str, str]
) -> pd.DataFrame:
    """`query` with `column IN values`, a chunk at a time, as one frame of `dtypes` (an empty
    or all-NULL read has no dtypes of its own to go by)."""
    frames = [
        pd.read_sql(query.where(column.in_(values[at : at + CHUNK])), session.connection())
        for at in range(0, max(len(values), 1), CHUNK)  # an empty IN still gives the columns
    ]
    return pd.concat(frames, ignore_index=True).astype(dict(dtypes))


def _narrow_issues(session: Session, scopes: pd.DataFrame) -> pd.DataFrame:
    """Only the issues the epic scopes can match (their epics and the issues under them), for
    a map of some deliverables whose scopes are all of kinds matched in SQL or by epic."""
    values = sorted({str(v).strip().upper() for v in scopes["value"]})
    sites = [int(s) for s in scopes["site_id"].unique()]
    query = select(*_issue_columns(False)).where(JiraIssue.site_id.in_(sites))  # type: ignore[attr-defined]
    found = [
        _read_chunked(session, query, column, values, _ISSUE_DTYPES)
        for column in (JiraIssue.key, JiraIssue.epic_key, JiraIssue.parent_key)
    ]
    return pd.concat(found, ignore_index=True).drop_duplicates("issue_id")


def _with_subtasks(
    session: Session, mapped: pd.DataFrame, issues: pd.DataFrame, sites: list[int]
) -> pd.DataFrame:
    """`issues` with each mapped issue's own row and its sub-tasks' rows, when read narrowly."""
    missing = sorted(set(mapped["issue_id"].astype("int64")) - set(issues["issue_id"]))
    base = select(*_issue_columns(False))
    own = _read_chunked(session, base, JiraIssue.id, [int(i) for i in missing], _ISSUE_DTYPES)
    issues = pd.concat([issues, own], ignore_index=True)
    keys = sorted(set(issues.loc[issues["issue_id"].isin(mapped["issue_id"]), "key"]))
    subtasks = _read_chunked(
        session,
        base.where(JiraIssue.site_id.in_(sites), JiraIssue.is_subtask),  # type: ignore[attr-defined]
        JiraIssue.parent_key,
        keys,
        _ISSUE_DTYPES,
    )
    return pd.concat([issues, subtasks], ignore_index=True).drop_duplicates("issue_id")


def _scopes(
    session: Session, programme_id: int, deliverable_ids: Collection[int] | None
) -> pd.DataFrame:
    """The scopes of the programme's deliverables (or of `deliverable_ids` among them)."""
    scopes = pd.read_sql(
        select(
            DeliverableScope.id.label("scope_id"),  # type: ignore[union-attr]
            DeliverableScope.deliverable_id,
            DeliverableScope.site_id,
            DeliverableScope.kind,
            DeliverableScope.value,
        )
        .join(Deliverable, Deliverable.id == DeliverableScope.deliverable_id)
        .where(Deliverable.programme_id == programme_id),
        session.connection(),
    ).astype({"value": "str", "kind": "str"})
    if deliverable_ids is not None:
        scopes = scopes.loc[scopes["deliverable_id"].isin(list(deliverable_ids))]
    return scopes


def _with_subtask_rows(mapped: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """The map: `mapped` and each mapped issue's sub-tasks (found in `issues`), sorted."""
    subtasks = issues.loc[
        issues["is_subtask"].astype(bool), ["issue_id", "site_id", "parent_key"]
    ].merge(
        mapped.merge(issues[["issue_id", "site_id", "key"]], on="issue_id"),
        left_on=["site_id", "parent_key"],
        right_on=["site_id", "key"],
        suffixes=("", "_parent"),
    )[COLUMNS]
    return (
        pd.concat([mapped, subtasks])
        .drop_duplicates()
        .astype("int64")
        .sort_values(COLUMNS)
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class ProgrammeIssues:
    """One read of the Jira tables a programme's deliverables reach, and their issue map.

    `issues`: every issue of the scopes' sites (issue_id, site_id, key, epic_key, parent_key,
    is_subtask, the lists when a scope matches on them, and the columns asked for); `boards`:
    the sites' boards (board_id, site_id, jira_id, ...); `shown`: which of those boards show
    which issues (board_id, issue_id, ...). The programme report builds its frames from the same
    rows the map was matched on, so each table is read, and each list decoded, once.
    """

    mapping: pd.DataFrame
    issues: pd.DataFrame
    boards: pd.DataFrame
    shown: pd.DataFrame


def _read_programme(
    session: Session,
    scopes: pd.DataFrame,
    issue_columns: Sequence[Any] = (),
    board_columns: Sequence[Any] = (),
    shown_columns: Sequence[Any] = (),
) -> ProgrammeIssues:
    """The issue map of `scopes` (_scopes) with the rows it was matched on; the `*_columns` are
    read beside the map's own for a caller that needs more of the same rows."""
    kind = scopes["kind"]
    sites = [int(s) for s in scopes["site_id"].unique()]
    lists = bool(kind.isin([ScopeKind.component.value, ScopeKind.label.value]).any())
    own = _issue_columns(lists)
    named = {c.key for c in own}
    issues = pd.read_sql(
        select(*own, *(c for c in issue_columns if c.key not in named)).where(
            JiraIssue.site_id.in_(sites)  # type: ignore[attr-defined]
        ),
        session.connection(),
    ).astype({"issue_id": "int64", "site_id": "int64"})
    boards = _boards(session, sites, board_columns)
    shown = _shown(session, [int(b) for b in boards["board_id"]], shown_columns)
    jql = scopes.loc[kind == ScopeKind.jql.value]
    parts = [
        _no_rows(),
        _by_board(scopes.loc[kind == ScopeKind.board.value], boards, shown),
        _by_epic(scopes.loc[kind == ScopeKind.epic.value], issues),
        _by_jql(jql, _jql_matches(session, jql)),
    ]
    if lists:
        parts += [
            _by_list(scopes.loc[kind == ScopeKind.component.value], issues, "components"),
            _by_list(scopes.loc[kind == ScopeKind.label.value], issues, "labels"),
        ]
    mapping = _with_subtask_rows(pd.concat(parts).drop_duplicates(), issues)
    return ProgrammeIssues(mapping, issues, boards, shown)


def _deliverable_issue_map(
    session: Session, programme_id: int, deliverable_ids: Collection[int] | None = None
) -> pd.DataFrame:
    """[issue_id, deliverable_id] (jira_issue.id, deliverable.id) for a programme, one row per
    pair; an issue may belong to several deliverables.

    With `deliverable_ids`, only those deliverables' rows: the same rows as the whole map's for
    them, but when their scopes are boards, epics or JQL (no component or label to match in
    every issue's lists) only the issues they can reach are read, not every issue of the sites:
    a sprint review of one deliverable on a 20,000-issue programme reads a few hundred.
    """
    scopes = _scopes(session, programme_id, deliverable_ids)
    kind = scopes["kind"]
    lists = kind.isin([ScopeKind.component.value, ScopeKind.label.value]).any()
    if deliverable_ids is None or lists:
        return _read_programme(session, scopes).mapping
    sites = [int(s) for s in scopes["site_id"].unique()]
    on_boards, jql = (
        scopes.loc[kind == ScopeKind.board.value],
        scopes.loc[kind == ScopeKind.jql.value],
    )
    epics = scopes.loc[kind == ScopeKind.epic.value]
    boards = _boards(session, sites)
    shown = _shown(session, [int(b) for b in _scope_boards(on_boards, boards)["board_id"]])
    issues = _narrow_issues(session, epics)
    mapped = pd.concat(
        [
            _no_rows(),
            _by_board(on_boards, boards, shown),
            _by_epic(epics, issues),
            _by_jql(jql, _jql_matches(session, jql)),
        ]
    ).drop_duplicates()
    return _with_subtask_rows(mapped, _with_subtasks(session, mapped, issues, sites))
