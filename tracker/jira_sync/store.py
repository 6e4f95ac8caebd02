"""Writing one board's normalised data: the only code that changes Jira-owned rows.

Everything is written inside the caller's one transaction, so a sync that fails halfway (a page
Jira keeps refusing, a shape the sync cannot read) rolls back and leaves the previous good data
exactly as it was. A live sync writes each search page as it arrives (`BoardWriter`: the board and
its sprints, then the issues a page at a time, then what only the whole read tells: who left), so
its memory does not grow with the board; the offline import writes a whole saved board as one
page (`write_board`). Writes are set-based (bulk upserts and inserts, no ORM object per row): a
50,000-issue board must not take longer to store than to download. Only tables Jira owns are
touched; contacts, criteria and mappings never are.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Dialect, TypeDecorator, delete, insert, select, update
from sqlalchemy.types import TypeEngine
from sqlmodel import Session, SQLModel

from tracker.db import upsert
from tracker.jira_sync.normalise import EventTuple
from tracker.models import (
    BoardIssue,
    ChangelogEvent,
    JiraBoard,
    JiraIssue,
    JiraIssueLink,
    JiraSprint,
)

#: Called, inside the write's transaction, with the row ids of sprints the write closed (held
#: before as not closed): a sprint closing is an event others act on (the owner's digest).
SprintsClosed = Callable[[Session, list[int]], None]

#: Called, inside the write's transaction, with a board's row id and the time once its data is
#: written: what is worked out from a whole board (stored sprint reports) is refreshed there.
BoardWritten = Callable[[Session, int, datetime], None]

#: Rows per IN (...) list: far below SQLite's and PostgreSQL's parameter limits.
CHUNK = 1000
_EVENT_COLUMNS = (
    "issue_id",
    "history_id",
    "item_index",
    "at",
    "field",
    "from_value",
    "to_value",
    "from_string",
    "to_string",
)


@dataclass
class IssuePage:
    """One page of a board's issues, normalised and not yet written."""

    #: jira_issue rows and their changelog events, by Jira issue id (a repeat replaces)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: dict[int, list[EventTuple]] = field(default_factory=dict)
    #: each issue's links (jira_issue_link columns but the issue's), by Jira issue id
    links: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def add_issue(
        self,
        row: dict[str, Any],
        events: list[EventTuple],
        links: list[dict[str, Any]] | None = None,
    ) -> None:
        self.issues[row["jira_id"]] = row
        self.events[row["jira_id"]] = events
        self.links[row["jira_id"]] = links or []


@dataclass(kw_only=True)
class BoardSnapshot(IssuePage):
    """One board as read from Jira (or a file), normalised and not yet written. A live read
    hands its issues to a `BoardWriter` page by page and leaves the page part here empty; a
    saved board is written as its one page."""

    board: dict[str, Any]
    sprints: list[dict[str, Any]]
    #: the moment the board was read; the next incremental sync asks for changes since then
    as_of: datetime | None
    #: Jira ids of every issue on the board when the whole board was listed, else None
    members: set[int] | None = None
    #: Jira ids of issues that Jira no longer has at all (deleted, or hidden from the account)
    gone: set[int] = field(default_factory=set)
    #: what the read could not get whole, one sentence each, for the run's summary
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BoardCounts:
    issues: int
    changed: int
    events: int
    sprints: int
    departed: int
    gone: int
    links: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def active_member_ids(session: Session, board_id: int) -> set[int]:
    """Jira ids of the issues we hold as currently on a board (to find the ones that left)."""
    rows = session.execute(
        select(JiraIssue.jira_id)
        .join(BoardIssue, BoardIssue.issue_id == JiraIssue.id)
        .where(BoardIssue.board_id == board_id, BoardIssue.removed_at.is_(None))  # type: ignore[union-attr]
    )
    return {jira_id for (jira_id,) in rows}


def _upsert_board(
    session: Session, site_id: int, board: dict[str, Any], read_at: datetime, synced: bool | None
) -> int:
    row = {**board, "site_id": site_id, "last_synced_at": read_at}
    if synced is not None:
        row["synced"] = synced
    upsert(session, JiraBoard, [row], ["site_id", "jira_id"])
    return session.execute(
        select(JiraBoard.id).where(
            JiraBoard.site_id == site_id, JiraBoard.jira_id == board["jira_id"]
        )
    ).scalar_one()


def _upsert_sprints(
    session: Session, site_id: int, board_id: int, sprints: list[dict[str, Any]]
) -> list[int]:
    """A sprint belongs to its origin board (Jira's `originBoardId`), where Jira's own sprint
    report is, when that board is synced. Otherwise it stays with the synced board already
    holding it, or goes to the board listing it, and its report says whose sprint it is.
    Returns the row ids of sprints held as not closed that are closed now."""
    synced = dict(
        session.execute(
            select(JiraBoard.jira_id, JiraBoard.id).where(
                JiraBoard.site_id == site_id, JiraBoard.synced
            )
        ).all()
    )
    held = dict(
        session.execute(
            select(JiraSprint.jira_id, JiraSprint.board_id).where(
                JiraSprint.site_id == site_id,
                JiraSprint.jira_id.in_([s["jira_id"] for s in sprints]),  # type: ignore[attr-defined]
                JiraSprint.board_id.in_(list(synced.values())),  # type: ignore[union-attr]
            )
        ).all()
    )
    rows = [
        {
            **{k: v for k, v in sprint.items() if k != "origin_board"},
            "origin_board_jira_id": sprint["origin_board"],
            "site_id": site_id,
            "board_id": synced.get(sprint["origin_board"])
            or held.get(sprint["jira_id"])
            or board_id,
        }
        for sprint in sprints
    ]
    before = dict(
        session.execute(
            select(JiraSprint.jira_id, JiraSprint.state).where(
                JiraSprint.site_id == site_id,
                JiraSprint.jira_id.in_([row["jira_id"] for row in rows]),  # type: ignore[attr-defined]
            )
        ).all()
    )
    upsert(session, JiraSprint, rows, ["site_id", "jira_id"])
    closing = [
        row["jira_id"]
        for row in rows
        if row.get("state") == "closed" and before.get(row["jira_id"], "closed") != "closed"
    ]
    if not closing:
        return []
    return list(
        session.execute(
            select(JiraSprint.id).where(
                JiraSprint.site_id == site_id,
                JiraSprint.jira_id.in_(closing),  # type: ignore[attr-defined]
            )
        ).scalars()
    )


def _by_jira_id(session: Session, site_id: int, jira_ids: list[int], column: Any) -> dict[int, Any]:
    """One column of the site's issues, keyed by Jira id, read in chunks of ids."""
    found: dict[int, Any] = {}
    for chunk in _chunks(jira_ids):
        found.update(
            session.execute(
                select(JiraIssue.jira_id, column).where(
                    JiraIssue.site_id == site_id,
                    JiraIssue.jira_id.in_(chunk),  # type: ignore[attr-defined]
                )
            ).all()
        )
    return found


def _stored_updates(
    session: Session, site_id: int, jira_ids: list[int]
) -> dict[int, datetime | None]:
    """When each of these issues was last updated according to what we hold."""
    return _by_jira_id(session, site_id, jira_ids, JiraIssue.updated_at)


def _listed_on(session: Session, board_id: int, row_ids: list[int]) -> set[int]:
    """Which of these issue row ids the board has (or had) a membership row for."""
    listed: set[int] = set()
    for chunk in _chunks(row_ids):
        listed.update(
            session.execute(
                select(BoardIssue.issue_id).where(
                    BoardIssue.board_id == board_id,
                    BoardIssue.issue_id.in_(chunk),  # type: ignore[attr-defined]
                )
            ).scalars()
        )
    return listed


def issue_ids(session: Session, site_id: int, jira_ids: list[int]) -> dict[int, int]:
    """Our row ids of these issues of the site, by Jira id."""
    return _by_jira_id(session, site_id, jira_ids, JiraIssue.id)


def _is_json(column_type: TypeEngine[Any], dialect: Dialect) -> bool:
    """Whether the column holds JSON on this dialect, as itself or under a TypeDecorator
    (tracker.models.types.JSONType, JSONB on PostgreSQL)."""
    found = column_type.dialect_impl(dialect)
    return isinstance(found.impl if isinstance(found, TypeDecorator) else found, JSON)


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """A plain bulk insert of rows with the same keys, bypassing per-row statement processing.

    SQLAlchemy's executemany spends about 25 µs a row (psycopg about 100), which would make
    storing a big board slower than downloading it; this converts values with the columns' own
    bind processors and hands them to COPY on PostgreSQL, to the driver's executemany elsewhere.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    table = model.__table__  # type: ignore[attr-defined]
    postgres = dialect.name == "postgresql"
    statement = (
        None if postgres else insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    )
    columns = list(rows[0]) if statement is None else list(statement.positiontup or ())
    if postgres:  # psycopg is imported only where it is the driver, never on SQLite
        from psycopg.types.json import Jsonb
    convert = [
        Jsonb
        if postgres and _is_json(table.c[name].type, dialect)
        else table.c[name].type.bind_processor(dialect)
        for name in columns
    ]
    values = (
        [
            row[name] if process is None else process(row[name])
            for name, process in zip(columns, convert, strict=True)
        ]
        for row in rows
    )
    cursor = connection.connection.cursor()
    if statement is None:
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:  # type: ignore[attr-defined]
            for row in values:
                copy.write_row(row)
    else:
        cursor.executemany(str(statement), list(values))


def _replace_events(
    session: Session,
    ids: dict[int, int],
    changed: list[int],
    new: set[int],
    events: dict[int, list[EventTuple]],
) -> int:
    """Store the complete changelog of every changed issue; unchanged ones keep theirs.

    New issues are plain inserts (the bulk of a first sync). Issues we held are upserted on
    (issue, history, item), so an item keeps its row, and items Jira no longer lists are deleted.
    """
    rows = {
        jira_id: [
            dict(zip(_EVENT_COLUMNS, (ids[jira_id], *event[1:]), strict=True))
            for event in events[jira_id]
        ]
        for jira_id in changed
    }
    inserts = [row for jira_id in changed if jira_id in new for row in rows[jira_id]]
    _insert(session, ChangelogEvent, inserts)
    known = [jira_id for jira_id in changed if jira_id not in new]
    updates = [row for jira_id in known for row in rows[jira_id]]
    upsert(session, ChangelogEvent, updates, ["issue_id", "history_id", "item_index"])
    wanted = {(row["issue_id"], row["history_id"], row["item_index"]) for row in updates}
    stale: list[int] = []
    for chunk in _chunks([ids[jira_id] for jira_id in known]):
        stale += [
            event_id
            for event_id, *key in session.execute(
                select(
                    ChangelogEvent.id,
                    ChangelogEvent.issue_id,
                    ChangelogEvent.history_id,
                    ChangelogEvent.item_index,
                ).where(ChangelogEvent.issue_id.in_(chunk))  # type: ignore[attr-defined]
            )
            if tuple(key) not in wanted
        ]
    for chunk in _chunks(stale):
        session.execute(delete(ChangelogEvent).where(ChangelogEvent.id.in_(chunk)))  # type: ignore[union-attr]
    return len(inserts) + len(updates)


def _replace_links(
    session: Session, ids: dict[int, int], links: dict[int, list[dict[str, Any]]]
) -> int:
    """Store the links of every issue read: few and small, so replaced whole each time."""
    row_ids = [ids[jira_id] for jira_id in links]
    for chunk in _chunks(row_ids):
        session.execute(delete(JiraIssueLink).where(JiraIssueLink.issue_id.in_(chunk)))  # type: ignore[attr-defined]
    rows = [
        {**link, "issue_id": ids[jira_id]}
        for jira_id, issue_links in links.items()
        for link in {link["link_id"]: link for link in issue_links}.values()
    ]
    _insert(session, JiraIssueLink, rows)
    return len(rows)


def _mark_departed(session: Session, board_id: int, members: set[int], now: datetime) -> int:
    """Mark the board's issues that Jira no longer lists on it; they stay for sprint history."""
    rows = session.execute(
        select(BoardIssue.id, JiraIssue.jira_id)
        .join(JiraIssue, JiraIssue.id == BoardIssue.issue_id)
        .where(BoardIssue.board_id == board_id, BoardIssue.removed_at.is_(None))  # type: ignore[union-attr]
    ).all()
    departed = [row_id for row_id, jira_id in rows if jira_id not in members]
    for chunk in _chunks(departed):
        session.execute(update(BoardIssue).where(BoardIssue.id.in_(chunk)).values(removed_at=now))  # type: ignore[union-attr]
    return len(departed)


def mark_gone(session: Session, site_id: int, jira_ids: Iterable[int], now: datetime) -> int:
    """Mark issues Jira no longer has; their rows and history stay for closed sprints."""
    wanted = sorted(jira_ids)
    marked = 0
    for chunk in _chunks(wanted):
        result = session.execute(
            update(JiraIssue)
            .where(
                JiraIssue.site_id == site_id,
                JiraIssue.jira_id.in_(chunk),  # type: ignore[attr-defined]
                JiraIssue.removed_at.is_(None),  # type: ignore[union-attr]
            )
            .values(removed_at=now)
        )
        marked += result.rowcount or 0  # type: ignore[attr-defined]
    return marked


class BoardWriter:
    """Writes one board into the caller's transaction as it is read: `begin` with the board and
    its sprints, `page` for each page of issues, `finish` with what only the whole read tells.

    Holds no more than the Jira ids seen (to count them), so a board's size costs the database,
    not memory. An issue's changelog is replaced only when its `updated` moved (or it is new, or
    `rewrite` asks for every one), which keeps re-reading an unchanged board cheap; upserts make
    a repeated sync, or an issue repeated on a later page, leave the same rows.
    """

    def __init__(
        self,
        session: Session,
        site_id: int,
        *,
        synced: bool | None = None,
        rewrite: bool = False,
        on_sprints_closed: SprintsClosed | None = None,
    ) -> None:
        self.session = session
        self.site_id = site_id
        self.synced = synced
        self.rewrite = rewrite
        self.on_sprints_closed = on_sprints_closed
        self.board_id: int | None = None
        self._read_at: datetime | None = None
        self._closed: list[int] = []
        self._sprints = 0
        self._seen: set[int] = set()
        self._changed: set[int] = set()
        self._events = 0
        self._links = 0

    def begin(self, board: dict[str, Any], sprints: list[dict[str, Any]], read_at: datetime) -> int:
        """Store the board's row (`read_at`: when the next incremental read starts from) and its
        sprints; returns the board's row id."""
        self.board_id = _upsert_board(self.session, self.site_id, board, read_at, self.synced)
        self._read_at = read_at
        self._closed = _upsert_sprints(self.session, self.site_id, self.board_id, sprints)
        self._sprints = len(sprints)
        return self.board_id

    def page(self, page: IssuePage) -> None:
        """Store one page of issues: rows, board memberships, changelogs, links."""
        session, site_id, board_id = self.session, self.site_id, self.board_id
        if board_id is None:
            raise RuntimeError("BoardWriter.page before begin")
        jira_ids = list(page.issues)
        if not jira_ids:
            return
        stored = _stored_updates(session, site_id, jira_ids)
        changed = [
            jira_id
            for jira_id, issue in page.issues.items()
            if self.rewrite or jira_id not in stored or stored[jira_id] != issue["updated_at"]
        ]
        rows = [{**issue, "site_id": site_id, "removed_at": None} for issue in page.issues.values()]
        _insert(session, JiraIssue, [row for row in rows if row["jira_id"] not in stored])
        upsert(
            session,
            JiraIssue,
            [row for row in rows if row["jira_id"] in stored],
            ["site_id", "jira_id"],
        )
        ids = issue_ids(session, site_id, jira_ids)
        listed = _listed_on(session, board_id, list(ids.values()))
        members = [{"board_id": board_id, "issue_id": ids[j], "removed_at": None} for j in jira_ids]
        _insert(session, BoardIssue, [row for row in members if row["issue_id"] not in listed])
        upsert(
            session,
            BoardIssue,
            [row for row in members if row["issue_id"] in listed],
            ["board_id", "issue_id"],
        )
        self._events += _replace_events(
            session, ids, changed, set(changed) - stored.keys(), page.events
        )
        self._links += _replace_links(session, ids, page.links)
        self._seen.update(jira_ids)
        self._changed.update(changed)

    def finish(self, members: set[int] | None, gone: set[int], now: datetime) -> BoardCounts:
        """Mark the issues that left the board (`members`: every issue on it, when the read
        listed them all) and those Jira no longer has; then tell `on_sprints_closed`."""
        session, board_id = self.session, self.board_id
        if board_id is None:
            raise RuntimeError("BoardWriter.finish before begin")
        departed = 0
        if members is not None:
            session.execute(
                update(JiraBoard)
                .where(JiraBoard.id == board_id)  # type: ignore[arg-type]
                .values(membership_checked_at=self._read_at)
            )
            departed = _mark_departed(session, board_id, members, now)
        marked = mark_gone(session, self.site_id, gone, now)
        if self._closed and self.on_sprints_closed is not None:
            self.on_sprints_closed(session, self._closed)
        return BoardCounts(
            issues=len(self._seen),
            changed=len(self._changed),
            events=self._events,
            sprints=self._sprints,
            departed=departed,
            gone=marked,
            links=self._links,
        )


def write_board(
    session: Session,
    site_id: int,
    snapshot: BoardSnapshot,
    now: datetime,
    synced: bool | None = None,
    rewrite: bool = False,
    on_sprints_closed: SprintsClosed | None = None,
) -> tuple[int, BoardCounts]:
    """Store a whole snapshot (a saved board) as one page; returns the board's row id and what
    changed. Call inside one transaction."""
    writer = BoardWriter(
        session, site_id, synced=synced, rewrite=rewrite, on_sprints_closed=on_sprints_closed
    )
    board_id = writer.begin(snapshot.board, snapshot.sprints, snapshot.as_of or now)
    writer.page(snapshot)
    return board_id, writer.finish(snapshot.members, snapshot.gone, now)
