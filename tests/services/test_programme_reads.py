"""A programme report reads each of the Jira tables once: the deliverable issue map and the
frames come from one read of the issues (their lists decoded once), and the board pack's RAID
dependencies reuse that map. The frames built from that read are the boards' own frames."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine, Select, event, select, update
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session

from tracker.models import BoardIssue, JiraIssue
from tracker.policy import OPERATOR
from tracker.services.board.ratings import board_ratings
from tracker.services.delivery.frames import _frames, _programme_frames
from tracker.services.delivery.issues import _deliverable_issue_map
from tracker.services.delivery.stored_burnup import _live_burnup

pytestmark = pytest.mark.db

NOW = pd.Timestamp("2026-11-27 15:00", tz="UTC")
#: the tables that grow with the synced Jira data
JIRA_TABLES = {
    "jira_issue",
    "jira_board",
    "jira_board_issue",
    "jira_changelog_event",
    "jira_sprint",
    "deliverable_scope",
    "deliverable_jql_match",
}


@contextmanager
def _reads(engine: Engine) -> Iterator[list[tuple[set[str], set[str]]]]:
    """Each SELECT run on `engine` meanwhile: the tables it returns rows from (its FROM list
    and joins; a subquery that only filters, like IN (SELECT ...), reads no rows out) and the
    names of the columns it selects."""
    found: list[tuple[set[str], set[str]]] = []

    def seen(conn: object, clause: object, *args: object) -> None:
        if isinstance(clause, Select):
            tables = {t.name for f in clause.get_final_froms() for t in find_tables(f)}
            found.append((tables, {c.name for c in clause.selected_columns}))

    event.listen(engine, "before_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_execute", seen)


def _per_table(reads: list[tuple[set[str], set[str]]]) -> Counter[str]:
    """Statements per table of tracker's (not the database's catalogue, which pandas asks on
    PostgreSQL)."""
    return Counter(
        table for tables, _ in reads for table in tables if not table.startswith(("pg_", "sqlite_"))
    )


def test_the_programme_burnup_reads_each_table_once(demo_engine: Engine) -> None:
    """What each sync and programme load works out and stores, and `tracker report programme`
    works out when nothing current is stored."""
    with Session(demo_engine) as session, _reads(demo_engine) as reads:
        burnup = _live_burnup(session, 1, NOW)
    assert len(burnup.programme) > 30
    counts = _per_table(reads)
    assert set(counts) >= JIRA_TABLES
    assert counts == dict.fromkeys(counts, 1)


def test_the_board_pack_reads_the_issues_and_their_map_once(demo_engine: Engine) -> None:
    with Session(demo_engine) as session, _reads(demo_engine) as reads:
        rated = board_ratings(session, OPERATOR, programme_id=1, now=NOW)
    assert len(rated.overall) > 3
    counts = _per_table(reads)
    for table in ("jira_board", "jira_board_issue", "jira_changelog_event"):
        assert counts[table] == 1, table
    assert counts["deliverable_jql_match"] == 1
    # the issues with the map's columns, every issue of the sites, once (the RAID dependencies'
    # own reads are of the linked issues' ends, by key, with none of these columns)
    mapped = [tables for tables, names in reads if "jira_issue" in tables and "epic_key" in names]
    assert len(mapped) == 1
    # the scopes once for the map (and once more, joined to the sync runs, for the deliverables'
    # last sync: a read of the scopes, not of the issues)
    scopes = [names for tables, names in reads if "deliverable_scope" in tables]
    assert sum("kind" in names for names in scopes) == 1


def _remove_some(engine: Engine) -> None:
    """An issue gone from a board, and one gone from Jira: the frames' removed_at is the board's
    removal, else Jira's."""
    with Session(engine) as session:
        first, second = session.execute(
            select(BoardIssue.board_id, BoardIssue.issue_id).order_by(BoardIssue.issue_id).limit(2)
        ).all()
        session.execute(
            update(BoardIssue)
            .where(BoardIssue.board_id == first.board_id, BoardIssue.issue_id == first.issue_id)  # type: ignore[arg-type]
            .values(removed_at=datetime(2026, 10, 1, 9, 30, tzinfo=UTC))
        )
        session.execute(
            update(JiraIssue)
            .where(JiraIssue.id == second.issue_id)  # type: ignore[arg-type]
            .values(removed_at=datetime(2026, 10, 2, 14, 0, tzinfo=UTC))
        )
        session.commit()


@pytest.mark.parametrize("lean", [False, True])
def test_the_programme_frames_are_the_boards_frames(demo_engine: Engine, lean: bool) -> None:
    _remove_some(demo_engine)
    with Session(demo_engine) as session:
        mapping, frames = _programme_frames(session, 1, lean=lean)
        pd.testing.assert_frame_equal(mapping, _deliverable_issue_map(session, 1))
        boards = sorted(frames.sprints)
        assert boards == sorted(int(b) for b in frames.issues["board_id"].unique())
        read = _frames(session, boards, lean=lean)
        # a subset of the deliverables: the whole map, the frames of their boards only
        first = int(mapping["deliverable_id"].min())
        whole, some = _programme_frames(session, 1, lean=lean, deliverable_ids=[first])
        theirs = set(mapping.loc[mapping["deliverable_id"] == first, "issue_id"])
        some_boards = sorted(
            int(b) for b in frames.issues.loc[frames.issues["issue_id"].isin(theirs), "board_id"]
        )
    if not lean:
        assert frames.issues["removed_at"].notna().sum() >= 2
    assert frames.issues["parent_id"].notna().any()
    pd.testing.assert_frame_equal(frames.issues, read.issues)
    pd.testing.assert_frame_equal(frames.events, read.events)
    assert frames.sprints == read.sprints
    assert frames.done_status_ids == read.done_status_ids
    assert frames.done_columns == read.done_columns
    assert frames.estimate_fields == read.estimate_fields
    pd.testing.assert_frame_equal(whole, mapping)
    assert sorted(some.sprints) == sorted(set(some_boards)) != boards
