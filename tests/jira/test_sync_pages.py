"""A full sync writes each page of issues as it arrives, in the board's one transaction: memory
stays flat in the board's size, and a page Jira keeps refusing halfway through the board rolls
every written page back, leaving the last good data as it was (SQLite and PostgreSQL alike)."""

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from tests.support.jira import LiveSite, issues_by_key, jira_rows
from tracker.jira_sync import store
from tracker.models import JiraIssue, SyncRun

SEARCH = {"cloud": r"/rest/api/3/search/jql$", "datacenter": r"/rest/api/2/search$"}
DONE = {"id": "10001", "name": "Done", "statusCategory": {"key": "done"}}


class PageSpy:
    """Wraps BoardWriter.page: for each page written, the issue rows the writer's transaction
    then holds and how many search pages the server had served by then (and the summaries the
    transaction then holds)."""

    def __init__(self, site: LiveSite, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[tuple[int, int]] = []
        self.summaries: set[str] = set()
        original = store.BoardWriter.page

        def page(writer: store.BoardWriter, issues: store.IssuePage) -> None:
            original(writer, issues)
            held = writer.session.execute(select(func.count()).select_from(JiraIssue))
            self.seen.append((held.scalar_one(), site.server.count(SEARCH[kind])))
            self.summaries.update(writer.session.execute(select(JiraIssue.summary)).scalars())

        monkeypatch.setattr(store.BoardWriter, "page", page)


@pytest.mark.parametrize("kind", ["cloud", "datacenter"])
def test_each_page_is_written_before_the_last_page_is_served(
    live_site: Callable[..., LiveSite], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = live_site(kind, search_page_limit=1)  # board 1's six issues: six pages
    spy = PageSpy(site, kind, monkeypatch)

    result = site.sync(boards=(1,))

    assert result.ok, result.errors
    pages = site.server.count(SEARCH[kind])
    assert pages == 6 and len(issues_by_key(site.engine)) == 6
    # Page 1 is in the transaction while Jira has served at most the page read ahead; a writer
    # that held the whole board would first write after the last page was served.
    assert spy.seen[0] == (1, spy.seen[0][1]) and spy.seen[0][1] <= 2 < pages
    assert [held for held, _ in spy.seen] == [1, 2, 3, 4, 5, 6]
    assert all(served <= written + 1 for written, (_, served) in enumerate(spy.seen, start=1))


@pytest.mark.parametrize("kind", ["cloud", "datacenter"])
def test_a_page_failing_mid_board_keeps_the_last_good_data(
    live_site: Callable[..., LiveSite], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = live_site(kind, search_page_limit=2)  # board 1: three pages of two
    site.sync(boards=(1,))
    before = jira_rows(site.engine)
    first = sorted(issues_by_key(site.engine))[0]
    site.server.update_issue(first, {"status": DONE, "summary": "changed since"})
    site.server.fail(SEARCH[kind], 500, times=None, after=2)  # page 3 never comes
    site.server.reset_log()
    spy = PageSpy(site, kind, monkeypatch)

    result = site.sync(full=True)

    assert not result.ok
    assert "kept answering HTTP 500" in result.error_line()
    assert site.server.count(SEARCH[kind]) == 2 + 5  # two good pages, page 3 tried five times
    # Two pages were written into the board's transaction, the changed issue among them...
    assert [held for held, _ in spy.seen] == [6, 6] and "changed since" in spy.summaries
    # ...and rolled back with it: every Jira-owned row is as the last good sync left it.
    assert jira_rows(site.engine) == before
    assert issues_by_key(site.engine)[first].summary != "changed since"
    with site.engine.connect() as connection:
        outcomes = connection.execute(select(SyncRun.outcome).order_by(SyncRun.id)).scalars()
        assert list(outcomes) == ["succeeded", "failed"]
