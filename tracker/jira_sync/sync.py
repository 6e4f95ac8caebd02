"""Syncing a live site: each synced board read in full or since its last good sync, each page
written as it arrives (the next fetched meanwhile), all in one transaction with the run record,
so a failure anywhere in the board rolls back and leaves the previous good data in place.

Boards fail independently (one board's 403 does not stop the others); every run is recorded.
After the boards, the JQL scopes of the site's deliverables are re-evaluated (jql_scopes.py).
"""

import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import select

from tracker.db import session_scope
from tracker.errors import NotFound
from tracker.jira_sync.credentials import SECRETS_FILE, credentials_for
from tracker.jira_sync.errors import SyncError
from tracker.jira_sync.explain import explain
from tracker.jira_sync.gateway import JiraGateway, JiraHttpError, RetryPolicy
from tracker.jira_sync.jql_scopes import jql_scopes, refresh_jql_matches
from tracker.jira_sync.live import SiteContext, fetch_board
from tracker.jira_sync.normalise import JiraDataError, SiteFields
from tracker.jira_sync.runs import finish_run, start_run
from tracker.jira_sync.store import BoardWriter, BoardWritten, SprintsClosed, active_member_ids
from tracker.models import JiraBoard, JiraSite, SyncOutcome
from tracker.models.types import utcnow

#: Re-read this much before the last good sync: clocks differ and Jira indexes a little late.
OVERLAP = timedelta(minutes=5)
#: How often an incremental sync also lists the board's keys to find issues that left it.
MEMBERSHIP_CHECK_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class SyncProgress:
    board: str
    done: int
    total: int | None


ProgressCallback = Callable[[SyncProgress], None]


@dataclass(frozen=True)
class SyncOptions:
    """The knobs tests and benchmarks turn; the defaults are what a council runs with."""

    retry: RetryPolicy | None = None
    secrets_file: Path = SECRETS_FILE
    clock: Callable[[], datetime] = utcnow
    membership_check_every: timedelta = MEMBERSHIP_CHECK_EVERY
    #: told, in the board's write transaction, of the sprints that write closed
    on_sprints_closed: SprintsClosed | None = None
    #: told, in the board's write transaction, once the board's data is written
    on_board_written: BoardWritten | None = None
    #: held around each board's sync (read and written page by page in one transaction) and the
    #: site's other writes: SQLite takes one writer at a time, so sites synced in parallel queue
    #: here for it rather than time out waiting for the database's lock (an RLock there)
    write_lock: AbstractContextManager[Any] = field(default_factory=nullcontext)


@dataclass(frozen=True)
class BoardResult:
    jira_id: int
    name: str
    error: str | None
    counts: dict[str, int]
    requests: int
    #: what was synced but not whole (a changelog Data Center truncated), one sentence each
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteSyncResult:
    site: str
    boards: list[BoardResult]
    requests: int
    seconds: float
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def warnings(self) -> list[str]:
        """Each synced board's warnings, prefixed with the board's name."""
        return [f"board '{b.name}' ({b.jira_id}): {w}" for b in self.boards for w in b.warnings]

    def summary(self) -> str:
        """One line for the CLI and the admin page."""
        done = [b for b in self.boards if b.error is None]

        def total(name: str) -> int:
            return sum(b.counts.get(name, 0) for b in done)

        return (
            f"{self.site}: {len(done)} of {len(self.boards)} boards synced, "
            f"{total('issues'):,} issues read ({total('changed'):,} new or changed), "
            f"{total('events'):,} changelog events written, {total('departed'):,} left a board, "
            f"{self.requests:,} requests in {self.seconds:.1f}s"
        )

    def error_line(self) -> str:
        if not self.errors:
            return ""
        more = len(self.errors) - 1
        return self.errors[0] + (f" (and {more} more failure{'s' * (more > 1)})" if more else "")


def _site(engine: Engine, name: str) -> JiraSite:
    with session_scope(engine) as session:
        site = session.exec(select(JiraSite).where(JiraSite.name == name)).first()
    if site is None:
        raise NotFound(f"there is no Jira site called '{name}' (see tracker site list).")
    return site


def _choose_boards(
    engine: Engine, site: JiraSite, gateway: JiraGateway, jira_ids: Iterable[int]
) -> None:
    """Add boards to the site's synced boards, looking up any we have never seen."""
    for jira_id in jira_ids:
        with session_scope(engine) as session:
            board = session.exec(
                select(JiraBoard).where(JiraBoard.site_id == site.id, JiraBoard.jira_id == jira_id)
            ).first()
            if board is None:
                try:
                    found = gateway.board(jira_id)
                except JiraHttpError as exc:
                    raise explain(exc, site, f"looking up board {jira_id}") from None
                board = JiraBoard(
                    site_id=site.id or 0,
                    jira_id=jira_id,
                    name=str(found.get("name") or jira_id),
                    board_type=str(found.get("type") or "scrum"),
                    project_key=(found.get("location") or {}).get("projectKey"),
                )
            board.synced = True
            session.add(board)


def _synced_boards(engine: Engine, site: JiraSite) -> list[JiraBoard]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(JiraBoard)
                .where(JiraBoard.site_id == site.id, JiraBoard.synced)
                .order_by(JiraBoard.name)  # type: ignore[arg-type]
            )
        )


def _board_json(board: JiraBoard) -> dict[str, Any]:
    """GET board's shape from what we hold: the configuration read each sync refreshes it."""
    location = {"projectKey": board.project_key} if board.project_key else {}
    return {"id": board.jira_id, "name": board.name, "type": board.board_type, "location": location}


class _SiteSync:
    def __init__(
        self, engine: Engine, site: JiraSite, gateway: JiraGateway, options: SyncOptions
    ) -> None:
        self.engine = engine
        self.site = site
        self.gateway = gateway
        self.options = options
        self.counted = 0  # requests already attributed to a run

    def _requests(self) -> int:
        made, self.counted = self.gateway.requests - self.counted, self.gateway.requests
        return made

    def _fail(self, run_id: int, message: str) -> None:
        with session_scope(self.engine) as session:
            finish_run(
                session,
                run_id,
                SyncOutcome.failed,
                self.options.clock(),
                self._requests(),
                error=message,
            )

    def context(self) -> SiteContext:
        """The site's fields and the account's time zone, which every board's read needs."""
        try:
            fields = SiteFields.from_fields(self.gateway.fields())
            zone = self.gateway.myself().get("timeZone")
        except JiraHttpError as exc:
            raise explain(exc, self.site, "reading the site's fields") from None
        return SiteContext(self.gateway, fields, zone)

    def board(
        self, context: SiteContext, board: JiraBoard, full: bool, progress: ProgressCallback | None
    ) -> BoardResult:
        """Sync one board, its run recorded; holds the write lock throughout (see SyncOptions)."""
        with self.options.write_lock:
            return self._board(context, board, full, progress)

    def _board(
        self, context: SiteContext, board: JiraBoard, full: bool, progress: ProgressCallback | None
    ) -> BoardResult:
        clock = self.options.clock
        started = clock()
        since = None if full or board.last_synced_at is None else board.last_synced_at - OVERLAP
        checked = board.membership_checked_at
        check_members = checked is None or started - checked >= self.options.membership_check_every
        run_id = start_run(self.engine, self.site.id or 0, board.id, since is None, started)
        label = f"board '{board.name}' ({board.jira_id})"

        def report(done: int, total: int | None) -> None:
            if progress:
                progress(SyncProgress(board.name, done, total))

        try:
            with session_scope(self.engine) as session:
                known = active_member_ids(session, board.id or 0)
            # One transaction for the board, written page by page while the next page is
            # fetched: whatever fails before the commit rolls every page back.
            with session_scope(self.engine) as session:
                writer = BoardWriter(
                    session,
                    self.site.id or 0,
                    rewrite=full,
                    on_sprints_closed=self.options.on_sprints_closed,
                )
                snapshot = fetch_board(
                    context,
                    _board_json(board),
                    writer,
                    since=since,
                    check_members=check_members,
                    known_members=known,
                    as_of=started,
                    progress=report,
                )
                counts = writer.finish(snapshot.members, snapshot.gone, clock())
                if self.options.on_board_written is not None:
                    self.options.on_board_written(session, writer.board_id or 0, clock())
                session.execute(
                    update(JiraSite)
                    .where(JiraSite.id == self.site.id)  # type: ignore[arg-type]
                    .values(
                        sprint_field_id=context.fields.sprint,
                        estimate_field_id=context.fields.default_estimate(),
                    )
                )
                requests = self._requests()
                finish_run(
                    session, run_id, SyncOutcome.succeeded, clock(), requests, counts.as_dict()
                )
        except JiraHttpError as exc:
            message = str(explain(exc, self.site, f"syncing {label}"))
        except JiraDataError as exc:
            message = (
                f"Jira site '{self.site.name}' sent {label} in a shape the sync cannot read: {exc}."
            )
        except BaseException as exc:
            self._fail(run_id, f"unexpected {type(exc).__name__} while syncing {label}")
            raise
        else:
            return BoardResult(
                board.jira_id,
                board.name,
                None,
                counts.as_dict(),
                requests,
                tuple(snapshot.warnings),
            )
        self._fail(run_id, message)
        return BoardResult(board.jira_id, board.name, message, {}, 0)

    def scopes(self) -> str | None:
        """Re-run the site's JQL scopes, as a run of no board; None when all went well."""
        scopes = jql_scopes(self.engine, self.site.id or 0)
        if not scopes:
            return None
        with self.options.write_lock:
            return self._scopes(scopes)

    def _scopes(self, scopes: list[tuple[int, str, str]]) -> str | None:
        run_id = start_run(self.engine, self.site.id or 0, None, False, self.options.clock())
        matched, error = refresh_jql_matches(self.engine, self.site, self.gateway, scopes)
        with session_scope(self.engine) as session:
            finish_run(
                session,
                run_id,
                SyncOutcome.failed if error else SyncOutcome.succeeded,
                self.options.clock(),
                self._requests(),
                {"jql_matches": matched},
                error,
            )
        return error


def sync_site(
    engine: Engine,
    site_name: str,
    boards: Iterable[int] = (),
    full: bool = False,
    progress: ProgressCallback | None = None,
    options: SyncOptions | None = None,
) -> SiteSyncResult:
    """Sync a live site's synced boards (adding `boards` to them first).

    Raises SyncError when nothing can be synced (unknown or offline site, missing credentials,
    no boards, the site unreachable); otherwise returns per-board results, failures included.
    """
    options = options or SyncOptions()
    began = time.perf_counter()
    site = _site(engine, site_name)
    if site.offline:
        raise SyncError(
            f"Jira site '{site.name}' is imported from files: re-import it with "
            "tracker import-jira DIR instead of syncing it."
        )
    gateway: JiraGateway | None = None
    try:
        credentials = credentials_for(site, options.secrets_file)
        gateway = JiraGateway(site.url, site.kind, credentials, options.retry)
        with options.write_lock:
            _choose_boards(engine, site, gateway, boards)
        targets = _synced_boards(engine, site)
        if not targets:
            raise SyncError(
                f"Jira site '{site.name}' has no synced boards: choose some with "
                f"tracker sync --site {site.name} --board ID."
            )
        run = _SiteSync(engine, site, gateway, options)
        context = run.context()
    except SyncError as exc:
        # Nothing was synced: the failure is a run of no board, so the admin page shows it.
        with options.write_lock:
            run_id = start_run(engine, site.id or 0, None, full, options.clock())
            with session_scope(engine) as session:
                made = gateway.requests if gateway else 0
                finish_run(
                    session, run_id, SyncOutcome.failed, options.clock(), made, error=str(exc)
                )
        raise
    results = [run.board(context, board, full, progress) for board in targets]
    errors = [r.error for r in results if r.error]
    scope_error = run.scopes()
    if scope_error:
        errors.append(scope_error)
    return SiteSyncResult(
        site=site.name,
        boards=results,
        requests=gateway.requests,
        seconds=time.perf_counter() - began,
        errors=errors,
    )
