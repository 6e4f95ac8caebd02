"""Reading one board from a live site, handing each page of issues to a writer as it arrives.

The next search page is fetched on a worker thread while the writer stores the current one
(`gateway.search` reads one page ahead), so at most about two pages are held whatever the board's
size. A full read lists every issue on the board, so it also tells which issues left. An incremental
read asks only for issues updated since the last good sync, minus an overlap; because it cannot
see departures, when that check is due Jira's count of the board's issues is compared with ours,
and the board's keys are listed (keys only) when the two differ. Nothing here touches the
database: the sink does (`store.BoardWriter`, in the board's one transaction).
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.jira_sync.gateway import JiraGateway
from tracker.jira_sync.normalise import (
    IssueNormaliser,
    JiraDataError,
    SiteFields,
    board_row,
    sprint_row,
)
from tracker.jira_sync.store import BoardSnapshot, IssuePage
from tracker.models import SiteKind

log = logging.getLogger(__name__)

#: (issues read so far, total when the site reports one)
PageProgress = Callable[[int, int | None], None]


def jql_instant(moment: datetime, zone: str | None) -> str:
    """`moment` as a JQL date ("yyyy/MM/dd HH:mm") that is never later than `moment`.

    Jira reads JQL dates as wall-clock time in the searching account's time zone (`/myself`
    timeZone), not UTC. Writing the earlier of the UTC and the account-zone readings is safe
    whichever zone Jira applies: at worst the window opens up to the zone's offset early and a
    few more issues are re-read. Minutes are truncated, which also only widens the window.
    """
    readings = [moment.astimezone(UTC).replace(tzinfo=None)]
    if zone:
        try:
            readings.append(moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None))
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown Jira time zone %r; writing JQL dates in UTC", zone)
    return min(readings).strftime("%Y/%m/%d %H:%M")


def board_query(
    board: Mapping[str, Any], since: datetime | None = None, zone: str | None = None
) -> str:
    """The board's issues (its saved filter, as its reports count them), oldest key first."""
    if board.get("filter_id"):
        scope = f"filter = {board['filter_id']}"
    elif board.get("project_key"):
        scope = f'project = "{board["project_key"]}"'
    else:
        raise JiraDataError("its configuration names neither a filter nor a project")
    if since is not None:
        scope += f' AND updated >= "{jql_instant(since, zone)}"'
    return scope + " ORDER BY key ASC"


class BoardSink(Protocol):
    """Where a board's read goes as it is read: `store.BoardWriter` is the one that stores it."""

    def begin(self, board: dict[str, Any], sprints: list[dict[str, Any]], read_at: datetime) -> Any:
        """The board's row and sprints, before any issue."""

    def page(self, page: IssuePage) -> None:
        """One search page of issues, normalised."""


@dataclass(frozen=True)
class SiteContext:
    """What every board of one site sync shares."""

    gateway: JiraGateway
    fields: SiteFields
    zone: str | None


def _complete_histories(
    gateway: JiraGateway, raw: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], int]:
    """The issue's whole changelog, and how many histories are still missing from it.

    Search embeds at most 100 histories on Cloud, which then pages the rest from
    /issue/{key}/changelog. Data Center embeds every history and has no such endpoint, so if it
    ever truncates, what is missing is counted, for the reports to say so.
    """
    changelog = raw.get("changelog") or {}
    histories = list(changelog.get("histories") or ())
    total = changelog.get("total")
    if not isinstance(total, int) or total <= len(histories):
        return histories, 0
    if gateway.kind is SiteKind.cloud:
        merged = {str(h["id"]): h for h in histories}
        merged.update((str(h["id"]), h) for h in gateway.changelog(str(raw["key"])))
        histories = list(merged.values())
    return histories, max(0, total - len(histories))


def _members(gateway: JiraGateway, query: str, known: set[int], updated: set[int]) -> set[int]:
    """Who is on the board now, asking Jira to list them only when its count disagrees with ours.

    An issue joins a board by being edited, so the incremental read has already seen every
    newcomer (`updated`): Jira's count equals `known | updated` unless an issue left or was
    deleted, and then the keys are listed to find which. One request a day instead of a page
    per thousands of issues. (An issue leaving as another joins unedited, by an edit of the
    board's filter, goes unseen until a full sync.)"""
    expected = known | updated
    if gateway.count(query) == len(expected):
        return expected
    return gateway.keys(query) | updated


def fetch_board(
    context: SiteContext,
    board: Mapping[str, Any],
    sink: BoardSink,
    *,
    since: datetime | None,
    check_members: bool,
    known_members: set[int],
    as_of: datetime,
    progress: PageProgress | None = None,
) -> BoardSnapshot:
    """Read a board (`board`: GET board JSON) into `sink`, a page at a time; `since` None reads
    every issue. Returns what the whole read tells (members, gone, warnings) with no issues.

    `known_members` (Jira ids we hold as on the board) lets a read that lists the whole board
    mark departures; departed issues are looked up one by one to tell "left the board" from
    "deleted", which is rare enough not to cost a search. Raises (and the sink's transaction is
    to be rolled back) when a page cannot be had or the read turns out incomplete.
    """
    gateway = context.gateway
    board_id = int(board["id"])
    configuration = gateway.configuration(board_id)
    estimate = context.fields.estimate_for(configuration)
    row = board_row(board, configuration, estimate)
    snapshot = BoardSnapshot(
        board=row,
        sprints=[sprint_row(s) for s in gateway.sprints(board_id)],
        as_of=as_of,
    )
    sink.begin(snapshot.board, snapshot.sprints, as_of)
    normaliser = IssueNormaliser(context.fields, estimate)
    query = board_query(row, since, context.zone)
    without: list[str] = []
    seen: set[int] = set()
    read, reported = 0, None
    for raw_page, total in gateway.search(
        query, context.fields.issue_fields(estimate), "changelog"
    ):
        read, reported = read + len(raw_page), total
        page = IssuePage()
        for raw in raw_page:
            issue = normaliser.issue(raw)
            if "changelog" not in raw:
                without.append(issue["key"])
            histories, missing = _complete_histories(gateway, raw)
            if missing:
                issue["changelog_missing"] = missing
                why = " (Data Center has no endpoint for the rest)" * (
                    gateway.kind is not SiteKind.cloud
                )
                snapshot.warnings.append(
                    f"{issue['key']}: Jira sent {len(histories)} of its {len(histories) + missing} "
                    f"changelog histories{why}; sprint reports counting it say so"
                )
            page.add_issue(
                issue,
                normaliser.events(issue["jira_id"], histories, issue["key"]),
                normaliser.links(raw),
            )
        sink.page(page)
        seen.update(page.issues)
        if progress:
            progress(len(seen), total)
    if reported is not None and read < reported:
        raise JiraDataError(
            f"its search reported {reported} issues but its pages held {read}; nothing was "
            "written, and the next sync reads the board again"
        )
    if without:
        raise JiraDataError(
            f"{len(without)} issues came without the changelog the search asked for "
            f"({', '.join(without)}), and sprint figures cannot be worked out without it"
        )
    if since is None:
        snapshot.members = seen
    elif check_members:
        snapshot.members = _members(gateway, board_query(row), known_members, seen)
    if snapshot.members is not None:
        departed = known_members - snapshot.members
        snapshot.gone = {
            jira_id for jira_id in sorted(departed) if not gateway.issue_exists(jira_id)
        }
    return snapshot
