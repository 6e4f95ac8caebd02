"""One Jira site over HTTP, through the `jira` client's authenticated session.

The client's own paging builds a Resource object per issue, which costs more than storing it, so
this pages raw JSON itself: `/rest/api/3/search/jql` with `nextPageToken` on Cloud (which answers
the old `/search` with 410), `/rest/api/2/search` with `startAt` on Data Center. The client is
built with `max_retries=0` because its own retry sleeps for fixed, unmockable times and never
retries a 500; retrying here is bounded, honours Retry-After, and its sleep is injectable so tests
of faults run in milliseconds.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from jira import JIRA, JIRAError

from tracker.jira_sync.credentials import Credentials
from tracker.models import SiteKind

log = logging.getLogger(__name__)

TRANSIENT = frozenset({429, 500, 502, 503, 504})
SEARCH_PAGE = 100
# Key listings ask for the most any site gives: Cloud pages up to 5000 ids a request, Data Center up
# to its jira.search.views.default.max (1000 unless raised) and answers a bigger ask with that.
KEYS_PAGE = 5000
AGILE_PAGE = 50
CHANGELOG_PAGE = 100


Page = TypeVar("Page")
_END = object()


def _read_ahead(pages: Iterator[Page]) -> Iterator[Page]:
    """Yield pages while the next one is being fetched on a worker thread.

    Jira's time to build a page then overlaps the caller's time to normalise the previous one;
    on a large board that is most of the waiting. Errors surface where the page would have.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jira-read-ahead") as pool:
        pending = pool.submit(next, pages, _END)
        while (page := pending.result()) is not _END:
            pending = pool.submit(next, pages, _END)
            yield page  # type: ignore[misc]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait on 429, 5xx and dropped connections."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Retry-After when Jira sends one (it knows its own rate limit), else exponential."""
        if retry_after and retry_after.strip().isdigit():
            return float(retry_after)
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))


class JiraHttpError(Exception):
    """A request Jira refused, or kept failing after every retry; `status` None: no answer."""

    def __init__(self, status: int | None, path: str, attempts: int, reason: str = "") -> None:
        self.status = status
        self.path = path
        self.attempts = attempts
        #: for 400, Jira's own words about the request (a JQL error); never headers or bodies
        self.reason = reason
        super().__init__(f"HTTP {status} for {path} after {attempts} attempt(s) {reason}".strip())


class JiraGateway:
    """Raw JSON from one site, counted (`requests`) and retried; see the module docstring."""

    def __init__(
        self,
        url: str,
        kind: SiteKind,
        credentials: Credentials,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.kind = SiteKind(kind)
        self.retry = retry or RetryPolicy()
        self.requests = 0
        self._counting = threading.Lock()
        self.client = JIRA(
            server=url,
            get_server_info=False,
            max_retries=0,
            timeout=timeout,
            **credentials.client_auth(),
        )
        # serverInfo answers anyone: asked without credentials, a site registered as the wrong
        # kind (so sent the wrong auth scheme) is recognised instead of being a bare 401.
        self._anonymous = JIRA(server=url, get_server_info=False, max_retries=0, timeout=timeout)
        api = "3" if self.kind is SiteKind.cloud else "2"
        self._platform = f"{self.client.server_url}/rest/api/2/"
        self._search_api = f"{self.client.server_url}/rest/api/{api}/"
        self._agile = f"{self.client.server_url}/rest/agile/1.0/"

    def _get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        anonymous: bool = False,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """GET `url` (POST `body` when given), retrying transient failures; the answer's JSON."""
        session = (self._anonymous if anonymous else self.client)._session
        path = urlsplit(url).path
        attempt = 0
        while True:
            attempt += 1
            with self._counting:  # search pages are read ahead on another thread
                self.requests += 1
            retry_after = None
            try:
                response = (
                    session.get(url, params=params)
                    if body is None
                    else session.post(url, params=params, json=body)
                )
            except JIRAError as exc:
                status = exc.status_code
                if status not in TRANSIENT or attempt >= self.retry.attempts:
                    detail = (exc.text or "") if status == 400 else ""
                    raise JiraHttpError(status, path, attempt, detail) from None
                if exc.response is not None:
                    retry_after = exc.response.headers.get("Retry-After")
                reason = f"HTTP {status}"
            except requests.RequestException as exc:
                if attempt >= self.retry.attempts:
                    raise JiraHttpError(None, path, attempt, type(exc).__name__) from None
                reason = type(exc).__name__
            else:
                try:
                    return response.json()
                except ValueError:
                    raise JiraHttpError(
                        response.status_code, path, attempt, "(the answer is not JSON)"
                    ) from None
            wait = self.retry.delay(attempt, retry_after)
            log.warning(
                "Jira answered %s for %s; retrying in %.1fs (attempt %d of %d)",
                reason,
                path,
                wait,
                attempt,
                self.retry.attempts,
            )
            self.retry.sleep(wait)

    # Site

    def server_info(self) -> dict[str, Any]:
        return self._get(self._platform + "serverInfo", anonymous=True)

    def myself(self) -> dict[str, Any]:
        return self._get(self._platform + "myself")

    def fields(self) -> list[dict[str, Any]]:
        return self._get(self._platform + "field")

    # Boards

    def _agile_pages(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every value of an agile list (boards, sprints): its pages hold 50 at most."""
        values: list[dict[str, Any]] = []
        while True:
            page = self._get(
                self._agile + path,
                {**(params or {}), "startAt": len(values), "maxResults": AGILE_PAGE},
            )
            batch = page.get("values") or []
            values.extend(batch)
            if page.get("isLast", True) or not batch:
                return values

    def boards(self) -> list[dict[str, Any]]:
        return self._agile_pages("board")

    def board(self, board_id: int) -> dict[str, Any]:
        return self._get(self._agile + f"board/{board_id}")

    def configuration(self, board_id: int) -> dict[str, Any]:
        return self._get(self._agile + f"board/{board_id}/configuration")

    def sprints(self, board_id: int) -> list[dict[str, Any]]:
        """Every sprint of the board, in every state (future, active, closed)."""
        return self._agile_pages(f"board/{board_id}/sprint")

    # Issues

    def search(
        self, jql: str, fields: list[str], expand: str | None = None, page_size: int = SEARCH_PAGE
    ) -> Iterator[tuple[list[dict[str, Any]], int | None]]:
        """Pages of raw issues, each with the total when the site reports one (Data Center)."""
        params: dict[str, Any] = {"jql": jql, "fields": ",".join(fields), "maxResults": page_size}
        if expand:
            params["expand"] = expand
        pages = (
            self._search_by_token(params)
            if self.kind is SiteKind.cloud
            else self._search_by_offset(params)
        )
        yield from _read_ahead(pages)

    def _search_by_token(
        self, params: dict[str, Any]
    ) -> Iterator[tuple[list[dict[str, Any]], None]]:
        token = None
        while True:
            page = self._get(
                self._search_api + "search/jql",
                {**params, **({"nextPageToken": token} if token else {})},
            )
            yield page.get("issues") or [], None
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return

    def _search_by_offset(
        self, params: dict[str, Any]
    ) -> Iterator[tuple[list[dict[str, Any]], int]]:
        start = 0
        while True:
            page = self._get(self._search_api + "search", {**params, "startAt": start})
            issues = page.get("issues") or []
            total = int(page.get("total") or 0)
            yield issues, total
            start += len(issues)
            if not issues or start >= total:
                return

    def count(self, jql: str) -> int:
        """How many issues the query matches, listing none: Cloud's approximate count (it may lag
        a recent change by a little), Data Center's search total."""
        if self.kind is SiteKind.cloud:
            found = self._get(self._search_api + "search/approximate-count", body={"jql": jql})
            return int(found["count"])
        page = self._get(self._search_api + "search", {"jql": jql, "fields": "id", "maxResults": 0})
        return int(page.get("total") or 0)

    def keys(self, jql: str) -> set[int]:
        """Jira ids of every issue the query matches, fetching nothing else: cheap even for
        thousands of issues."""
        return {
            int(issue["id"])
            for page, _ in self.search(jql, ["key"], page_size=KEYS_PAGE)
            for issue in page
        }

    def changelog(self, key: str) -> list[dict[str, Any]]:
        """An issue's complete changelog, for when search embedded only part of it (Cloud)."""
        histories: list[dict[str, Any]] = []
        while True:
            page = self._get(
                self._search_api + f"issue/{key}/changelog",
                {"startAt": len(histories), "maxResults": CHANGELOG_PAGE},
            )
            batch = page.get("values") or []
            histories.extend(batch)
            total = page.get("total")
            if page.get("isLast") or not batch or (total is not None and len(histories) >= total):
                return histories

    def issue_exists(self, issue_id: int) -> bool:
        """Whether Jira still has an issue (404: deleted, or hidden from this account)."""
        try:
            self._get(self._platform + f"issue/{issue_id}", {"fields": "key"})
        except JiraHttpError as exc:
            if exc.status == 404:
                return False
            raise
        return True
