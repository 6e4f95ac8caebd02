"""A Jira (Cloud or Data Center) on 127.0.0.1 for tests that drive the real `jira` client over HTTP.

Mocking the client would test our idea of Jira; this serves Atlassian's documented response shapes
(and the real recorded ones in samples/) so the sync meets the same paging, truncation, auth and
error behaviour it will meet on a council's site. See routes.py for what differs between the kinds.
"""

import base64
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.jira_server.routes import Reply, Request, Site, dispatch, is_anonymous
from tests.jira_server.store import SiteStore
from tracker.jira_sync.dataset import SiteData

EMAIL = "tester@council.example"
API_TOKEN = "cloud-api-token"
PAT = "datacenter-personal-access-token"
CLOUD_401 = "Client must be authenticated to access this resource."
DC_401 = "You are not authenticated. Authentication required to perform this operation."
# Data Center's search takes up to jira.search.views.default.max (1000); Cloud pages of issues with
# all fields and changelogs hold at most 100.
SEARCH_PAGE_LIMIT = {"cloud": 100, "datacenter": 1000}
# Cloud's enhanced search returns up to 5000 issues a page when only id/key are asked for.
CLOUD_KEYS_PAGE_LIMIT = 5000
# Cloud embeds only the newest 100 histories; Data Center embeds them all (and has no changelog
# endpoint to page the rest from).
CHANGELOG_LIMIT = {"cloud": 100, "datacenter": None}


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]  # repeated parameters joined with commas, as Jira reads them
    body: Any
    status: int


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    status: int
    remaining: int | None
    retry_after: int | None
    #: matching requests still to answer normally before the fault starts
    after: int = 0


class JiraServer(ThreadingHTTPServer):
    """One Jira site on an ephemeral port, serving until close() (or the end of a `with`).

    Credentials: Cloud wants HTTP Basic `email:api_token`, Data Center `Authorization: Bearer
    <pat>`; `client_auth` gives the matching keyword arguments for `jira.JIRA`. Limits left as
    None behave as that kind of Jira does (CHANGELOG_LIMIT, SEARCH_PAGE_LIMIT and, for Cloud's
    keys-only searches, CLOUD_KEYS_PAGE_LIMIT); set small ones to make a test page or truncate
    with little data. Issues whose keys are `unreadable` are counted in Data Center's search
    `total` but never sent, as when an issue fails between Jira's count and its page.
    """

    daemon_threads = True

    def __init__(
        self,
        data: SiteData,
        kind: str | None = None,
        *,
        email: str = EMAIL,
        api_token: str = API_TOKEN,
        pat: str = PAT,
        embedded_changelog_limit: int | None = None,
        search_page_limit: int | None = None,
        keys_page_limit: int | None = None,
        agile_page_limit: int = 50,
        forbidden_boards: Iterable[int] = (),
        unreadable: Iterable[str] = (),
    ) -> None:
        kind = kind or data["site"]["kind"]
        if kind not in {"cloud", "datacenter"}:
            raise ValueError(f"kind must be 'cloud' or 'datacenter', not {kind!r}")
        super().__init__(("127.0.0.1", 0), _Handler)
        self.kind = kind
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.store = SiteStore(data, forbidden_boards)
        self.site = Site(
            store=self.store,
            kind=kind,
            url=self.url,
            changelog_limit=(
                CHANGELOG_LIMIT[kind]
                if embedded_changelog_limit is None
                else embedded_changelog_limit
            ),
            search_page_limit=search_page_limit or SEARCH_PAGE_LIMIT[kind],
            keys_page_limit=keys_page_limit or CLOUD_KEYS_PAGE_LIMIT,
            agile_page_limit=agile_page_limit,
            unreadable=frozenset(unreadable),
        )
        if kind == "cloud":
            secret = base64.b64encode(f"{email}:{api_token}".encode()).decode()
            self._authorization = f"Basic {secret}"
            self.client_auth: dict[str, Any] = {"basic_auth": (email, api_token)}
        else:
            self._authorization = f"Bearer {pat}"
            self.client_auth = {"token_auth": pat}
        self.requests: list[LoggedRequest] = []
        self._faults: list[_Fault] = []
        self._log_lock = threading.Lock()
        # A short poll keeps close() quick: shutdown() waits for the loop's next poll.
        self._thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def __enter__(self) -> "JiraServer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()

    # Faults and the request log

    def fail(
        self,
        path_regex: str,
        status: int,
        times: int | None = 1,
        retry_after: int | None = None,
        after: int = 0,
    ) -> None:
        """Answer the next `times` requests whose path matches with `status` (None: every one),
        once `after` of them have been answered normally (a failure on page N of a search).

        Faults are checked in the order added, before authentication, as a gateway would answer.
        """
        with self._log_lock:
            self._faults.append(_Fault(re.compile(path_regex), status, times, retry_after, after))

    def count(self, path_regex: str, method: str | None = None) -> int:
        """How many logged requests had a path matching `path_regex` (and this method)."""
        pattern = re.compile(path_regex)
        with self._log_lock:
            return sum(
                1
                for r in self.requests
                if pattern.search(r.path) and (method is None or r.method == method)
            )

    def reset_log(self) -> None:
        with self._log_lock:
            self.requests.clear()

    def _take_fault(self, path: str) -> Reply | None:
        with self._log_lock:
            for fault in self._faults:
                if fault.remaining != 0 and fault.pattern.search(path):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    headers = (
                        {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                    )
                    reply = Reply.error(fault.status, f"Injected failure: HTTP {fault.status}.")
                    reply.headers.update(headers)
                    return reply
        return None

    def _log(self, request: Request, status: int) -> None:
        query = {name: ",".join(values) for name, values in request.query.items()}
        with self._log_lock:
            self.requests.append(
                LoggedRequest(request.method, request.path, query, request.body, status)
            )

    def _unauthorised(self, header: str | None, path: str) -> Reply | None:
        if header == self._authorization or (header is None and is_anonymous(path)):
            return None
        if self.kind == "cloud":
            return Reply(401, CLOUD_401, {"WWW-Authenticate": 'Basic realm="protected-area"'})
        reply = Reply.error(401, DC_401)
        reply.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
        return reply

    # Changing the site, for sync tests (all thread-safe)

    def update_issue(
        self,
        key: str,
        fields: dict[str, Any] | None = None,
        items: list[dict[str, Any]] | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Change fields, bump `fields.updated` to `at` (default now), and record a history of
        `items` (changelog items as Jira writes them); returns the stored issue."""
        return self.store.update_issue(key, fields, items, at)

    def add_issue(self, issue: dict[str, Any], boards: Iterable[int]) -> None:
        """Add (or replace) a full search-result issue and show it on these boards."""
        self.store.add_issue(issue, boards)

    def delete_issue(self, key: str) -> None:
        """Delete an issue: search stops returning it and GET issue answers 404."""
        self.store.delete_issue(key)

    def remove_from_board(self, key: str, board_id: int) -> None:
        """Take an issue off a board (moved project, changed filter) without deleting it."""
        self.store.remove_from_board(key, board_id)

    def add_to_board(self, key: str, board_id: int) -> None:
        self.store.add_to_board(key, board_id)

    def update_sprint(self, sprint_id: int, **changes: Any) -> None:
        """Change a sprint everywhere it is listed, e.g. state="closed", completeDate=..."""
        self.store.update_sprint(sprint_id, changes)


class _Handler(BaseHTTPRequestHandler):
    server: JiraServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't delay the second

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log on the server is what tests read."""

    def _handle(self) -> None:
        url = urlsplit(self.path)
        request = Request(self.command, url.path, parse_qs(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        server = self.server
        try:
            request.body = json.loads(raw) if raw else None
        except ValueError:
            reply: Reply | None = Reply.error(400, "Unexpected character in the request body.")
        else:
            reply = server._take_fault(url.path) or server._unauthorised(
                self.headers.get("Authorization"), url.path
            )
        with server.store.lock:
            reply = reply or dispatch(server.site, request)
            payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
        server._log(request, reply.status)
        self._send(reply, payload.encode())

    def _send(self, reply: Reply, payload: bytes) -> None:
        self.send_response(reply.status)
        plain = isinstance(reply.body, str)
        content_type = "text/plain" if plain else "application/json"
        self.send_header("Content-Type", f"{content_type};charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
