"""Which synced Jira issues belong to which deliverable, from the deliverables' scope rules.

Scope values (DeliverableScope.value) by kind:
- board: Jira's board id on the scope's site; every issue the board shows (or showed).
- epic: an epic key; the epic itself and issues whose epic link or parent is it.
- component / label: a component name / a label, matched exactly.
- jql: any JQL, evaluated by Jira at each sync of the site (jira_sync/jql_scopes.py).
Sub-tasks follow their parent, so a sprint's sub-task work stays with its story's deliverable.
"""

import pandas as pd
from sqlalchemy import select
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


def _by_board(session: Session, scopes: pd.DataFrame) -> pd.DataFrame:
    wanted = scopes.loc[scopes["value"].str.strip().str.isdigit()].assign(
        jira_id=lambda f: f["value"].str.strip().astype("int64")
    )
    boards = pd.read_sql(
        select(JiraBoard.id.label("board_id"), JiraBoard.site_id, JiraBoard.jira_id),  # type: ignore[union-attr]
        session.connection(),
    )
    shown = pd.read_sql(select(BoardIssue.board_id, BoardIssue.issue_id), session.connection())
    return wanted.merge(boards, on=["site_id", "jira_id"]).merge(shown, on="board_id")[COLUMNS]


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


def _by_jql(session: Session, scopes: pd.DataFrame) -> pd.DataFrame:
    matches = pd.read_sql(
        select(DeliverableJqlMatch.scope_id, DeliverableJqlMatch.issue_id), session.connection()
    )
    return scopes.merge(matches, on="scope_id")[COLUMNS]


def _deliverable_issue_map(session: Session, programme_id: int) -> pd.DataFrame:
    """[issue_id, deliverable_id] (jira_issue.id, deliverable.id) for a programme, one row per
    pair; an issue may belong to several deliverables."""
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
    issues = pd.read_sql(
        select(
            JiraIssue.id.label("issue_id"),  # type: ignore[union-attr]
            JiraIssue.site_id,
            JiraIssue.key,
            JiraIssue.epic_key,
            JiraIssue.parent_key,
            JiraIssue.is_subtask,
            JiraIssue.components,
            JiraIssue.labels,
        ).where(JiraIssue.site_id.in_([int(s) for s in scopes["site_id"].unique()])),  # type: ignore[attr-defined]
        session.connection(),
    )
    kind = scopes["kind"]
    parts = [
        pd.DataFrame({c: pd.Series(dtype="int64") for c in COLUMNS}),
        _by_board(session, scopes.loc[kind == ScopeKind.board.value]),
        _by_epic(scopes.loc[kind == ScopeKind.epic.value], issues),
        _by_list(scopes.loc[kind == ScopeKind.component.value], issues, "components"),
        _by_list(scopes.loc[kind == ScopeKind.label.value], issues, "labels"),
        _by_jql(session, scopes.loc[kind == ScopeKind.jql.value]),
    ]
    mapped = pd.concat(parts).drop_duplicates()
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
