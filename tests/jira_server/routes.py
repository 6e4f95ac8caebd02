"""The REST endpoints, each a function from a parsed request to a Jira-shaped reply.

Cloud and Data Center differ where a sync can trip: Cloud searches only through /search/jql with an
opaque nextPageToken and answers the old /search with 410 Gone; Data Center has only /rest/api/2,
pages search with startAt/total and has no paginated changelog endpoint.
"""

import base64
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.jira_server.jql import JqlError, Query, parse
from tests.jira_server.shape import FieldSelection, oldest_first, render_issue, split_list
from tests.jira_server.store import SiteStore

SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)


@dataclass(frozen=True)
class Site:
    """What every endpoint needs: the data, which Jira it pretends to be, and its limits."""

    store: SiteStore
    kind: str
    url: str
    changelog_limit: int | None
    search_page_limit: int
    keys_page_limit: int
    agile_page_limit: int = 50
    #: keys counted in Data Center's search total but never sent
    unreadable: frozenset[str] = frozenset()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any = None

    def values(self, name: str) -> list[str] | str | None:
        """A parameter from the JSON body of a POST, else from the query string."""
        if isinstance(self.body, dict) and self.body.get(name) is not None:
            value = self.body[name]
            return [str(v) for v in value] if isinstance(value, list) else str(value)
        return self.query.get(name)

    def text(self, name: str, default: str = "") -> str:
        value = self.values(name)
        if isinstance(value, list):
            return value[0] if value else default
        return default if value is None else value

    def number(self, name: str, default: int) -> int:
        raw = self.text(name)
        if raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise Reply.error(400, f"The '{name}' parameter must be a number.") from None


@dataclass
class Reply(Exception):
    """A response; raised to stop handling early (errors) or returned (success)."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, *messages: str) -> "Reply":
        return cls(status, {"errorMessages": list(messages), "errors": {}})


def _page_size(request: Request, default: int, limit: int) -> int:
    wanted = request.number("maxResults", default)
    return default if wanted < 0 else min(wanted, limit)


def _query(jql: str, *, bounded: bool) -> Query:
    try:
        query = parse(jql)
    except JqlError as exc:
        raise Reply.error(400, str(exc)) from None
    if bounded and not query.clauses:
        raise Reply.error(400, UNBOUNDED)
    return query


def _search_keys(
    site: Site, request: Request, *, bounded: bool, board: int | None = None
) -> list[str]:
    query = _query(request.text("jql"), bounded=bounded)
    validate = request.text("validateQuery", "true").lower() not in {"false", "warn"}
    try:
        return site.store.search(query, board_id=board, validate=validate)
    except JqlError as exc:
        raise Reply.error(400, str(exc)) from None


def _render(site: Site, request: Request, keys: list[str], default_fields: str) -> list[Any]:
    selection = FieldSelection.parse(request.values("fields"), default_fields)
    expand = split_list(request.values("expand"))
    store = site.store
    return [
        render_issue(store.issues[key], selection, expand, store.navigable, site.changelog_limit)
        for key in keys
    ]


# Platform API


def server_info(site: Site, request: Request) -> Reply:
    deployment = "Cloud" if site.kind == "cloud" else "DataCenter"
    return Reply(200, {**site.store.server_info, "baseUrl": site.url, "deploymentType": deployment})


def myself(site: Site, request: Request) -> Reply:
    return Reply(200, site.store.myself)


def fields(site: Site, request: Request) -> Reply:
    return Reply(200, site.store.fields)


def search_gone(site: Site, request: Request) -> Reply:
    return Reply.error(410, SEARCH_GONE)


def search_startat(site: Site, request: Request) -> Reply:
    """Data Center's /rest/api/2/search: startAt paging with a total."""
    keys = _search_keys(site, request, bounded=False)
    start = max(request.number("startAt", 0), 0)
    size = _page_size(request, 50, site.search_page_limit)
    page = [key for key in keys if key not in site.unreadable][start : start + size]
    return Reply(
        200,
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(keys),
            "issues": _render(site, request, page, "*navigable"),
        },
    )


def _token(offset: int, jql: str) -> str:
    raw = f"{offset}:{zlib.crc32(jql.encode()):08x}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _offset(token: str, jql: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset, checksum = raw.split(":")
        if checksum == f"{zlib.crc32(jql.encode()):08x}":
            return int(offset)
    except ValueError:
        pass
    raise Reply.error(400, "The provided next page token is invalid or does not match the query.")


def search_jql(site: Site, request: Request) -> Reply:
    """Cloud's enhanced search: an opaque nextPageToken, isLast, and no total."""
    jql = request.text("jql")
    keys = _search_keys(site, request, bounded=True)
    token = request.text("nextPageToken")
    start = _offset(token, jql) if token else 0
    selection = FieldSelection.parse(request.values("fields"), "id")
    limit = site.keys_page_limit if selection.ids_only else site.search_page_limit
    size = max(_page_size(request, 50, limit), 1)
    page = keys[start : start + size]
    body: dict[str, Any] = {"issues": _render(site, request, page, "id")}
    if start + size < len(keys):
        body["nextPageToken"] = _token(start + size, jql)
    body["isLast"] = start + size >= len(keys)
    return Reply(200, body)


def approximate_count(site: Site, request: Request) -> Reply:
    return Reply(200, {"count": len(_search_keys(site, request, bounded=True))})


def _issue_or_404(site: Site, key: str) -> dict[str, Any]:
    issue = site.store.issue(key)
    if issue is None:
        raise Reply.error(404, "Issue does not exist or you do not have permission to see it.")
    return issue


def issue(site: Site, request: Request, key: str) -> Reply:
    found = _issue_or_404(site, key)
    return Reply(200, _render(site, request, [found["key"]], "*all")[0])


def changelog(site: Site, request: Request, key: str) -> Reply:
    """Cloud's paginated changelog, oldest first, at most 100 a page."""
    histories = oldest_first(_issue_or_404(site, key).get("changelog", {}).get("histories", []))
    start = max(request.number("startAt", 0), 0)
    size = _page_size(request, 100, 100)
    page = histories[start : start + size]
    is_last = start + size >= len(histories)
    body: dict[str, Any] = {
        "self": f"{site.url}{request.path}?{urlencode({'startAt': start, 'maxResults': size})}",
        "maxResults": size,
        "startAt": start,
        "total": len(histories),
        "isLast": is_last,
        "values": page,
    }
    if not is_last:
        body["nextPage"] = (
            f"{site.url}{request.path}?{urlencode({'startAt': start + size, 'maxResults': size})}"
        )
    return Reply(200, body)


# Agile API


def _board(site: Site, board_id_text: str) -> int:
    board_id = int(board_id_text)
    if board_id not in site.store.boards:
        raise Reply.error(404, "Board does not exist or you do not have permission to see it.")
    if board_id in site.store.forbidden_boards:
        raise Reply.error(403, f"You don't have permission to view board {board_id}.")
    return board_id


def _agile_page(site: Site, request: Request, values: list[Any], *, total: bool) -> Reply:
    start = max(request.number("startAt", 0), 0)
    size = _page_size(request, 50, site.agile_page_limit)
    body: dict[str, Any] = {"maxResults": size, "startAt": start}
    if total:
        body["total"] = len(values)
    body["isLast"] = start + size >= len(values)
    body["values"] = values[start : start + size]
    return Reply(200, body)


def boards(site: Site, request: Request) -> Reply:
    kind, name = request.text("type").lower(), request.text("name").lower()
    project = request.text("projectKeyOrId").upper()
    found = [
        board
        for _, board in sorted(site.store.boards.items())
        if (not kind or board.get("type", "").lower() in kind.split(","))
        and name in board.get("name", "").lower()
        and (not project or project in _board_projects(board))
    ]
    return _agile_page(site, request, found, total=True)


def _board_projects(board: dict[str, Any]) -> set[str]:
    location = board.get("location", {})
    return {str(v).upper() for v in (location.get("projectKey"), location.get("projectId")) if v}


def get_board(site: Site, request: Request, board_id: str) -> Reply:
    return Reply(200, site.store.boards[_board(site, board_id)])


def configuration(site: Site, request: Request, board_id: str) -> Reply:
    return Reply(200, site.store.configurations[_board(site, board_id)])


def sprints(site: Site, request: Request, board_id: str) -> Reply:
    board = _board(site, board_id)
    states = {s.lower() for s in split_list(request.values("state"))}
    found = [
        sprint
        for sprint in site.store.sprints[board]
        if not states or str(sprint.get("state", "")).lower() in states
    ]
    return _agile_page(site, request, found, total=False)


def board_issues(site: Site, request: Request, board_id: str) -> Reply:
    """The agile board's issues: the board's filter AND the optional jql, startAt paging."""
    keys = _search_keys(site, request, bounded=False, board=_board(site, board_id))
    start = max(request.number("startAt", 0), 0)
    size = _page_size(request, 50, site.search_page_limit)
    return Reply(
        200,
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(keys),
            "issues": _render(site, request, keys[start : start + size], "*all"),
        },
    )


def get_sprint(site: Site, request: Request, sprint_id: str) -> Reply:
    for found in site.store.all_sprints():
        if str(found["id"]) == sprint_id:
            return Reply(200, found)
    raise Reply.error(
        404,
        "The requested sprint cannot be viewed because it either does not exist "
        "or you do not have permission to view it.",
    )


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Callable[..., Reply]
    kinds: frozenset[str] = frozenset({"cloud", "datacenter"})
    anonymous: bool = False


def _route(
    methods: str, path: str, handler: Callable[..., Reply], kinds: str = "cloud datacenter"
) -> Route:
    return Route(
        frozenset(methods.split("|")),
        re.compile(path + "$"),
        handler,
        frozenset(kinds.split()),
        anonymous=handler is server_info,
    )


_API = r"/rest/api/(?:2|3|latest)"
_AGILE = r"/rest/agile/1\.0"
ROUTES = (
    _route("GET", _API + "/serverInfo", server_info),
    _route("GET", _API + "/myself", myself),
    _route("GET", _API + "/field", fields),
    _route("GET|POST", _API + "/search/jql", search_jql, "cloud"),
    _route("POST", _API + "/search/approximate-count", approximate_count, "cloud"),
    _route("GET|POST", _API + "/search", search_gone, "cloud"),
    _route("GET|POST", _API + "/search", search_startat, "datacenter"),
    _route("GET", _API + r"/issue/(?P<key>[^/]+)/changelog", changelog, "cloud"),
    _route("GET", _API + r"/issue/(?P<key>[^/]+)", issue),
    _route("GET", _AGILE + "/board", boards),
    _route("GET", _AGILE + r"/board/(?P<board_id>\d+)", get_board),
    _route("GET", _AGILE + r"/board/(?P<board_id>\d+)/configuration", configuration),
    _route("GET", _AGILE + r"/board/(?P<board_id>\d+)/sprint", sprints),
    _route("GET", _AGILE + r"/board/(?P<board_id>\d+)/issue", board_issues),
    _route("GET", _AGILE + r"/sprint/(?P<sprint_id>\d+)", get_sprint),
)


def dispatch(site: Site, request: Request) -> Reply:
    """Find the endpoint for this kind of Jira and run it; 404/405 as Jira would.

    The caller holds the store's lock until the reply is serialised, so a test changing the site
    never races a response half-built from it.
    """
    allowed: set[str] = set()
    if site.kind == "datacenter" and request.path.startswith("/rest/api/3/"):
        return _no_resource(site, request)
    for route in ROUTES:
        match = route.pattern.match(request.path)
        if not match or site.kind not in route.kinds:
            continue
        if request.method not in route.methods:
            allowed |= route.methods
            continue
        try:
            return route.handler(site, request, **match.groupdict())
        except Reply as reply:
            return reply
    if allowed:
        return Reply.error(405, f"Method {request.method} is not allowed here.")
    return _no_resource(site, request)


def is_anonymous(path: str) -> bool:
    """Whether Jira answers this path without credentials (serverInfo, for version checks)."""
    return any(route.anonymous and route.pattern.match(path) for route in ROUTES)


def _no_resource(site: Site, request: Request) -> Reply:
    if site.kind == "datacenter":  # Jersey's own 404 body, as Data Center sends it
        return Reply(
            404, {"message": f"null for uri: {site.url}{request.path}", "status-code": 404}
        )
    return Reply.error(404, f"No resource found for {request.path}.")
