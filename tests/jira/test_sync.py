"""Live sync against the test Jira server: Cloud and Data Center, full and incremental."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from tests.jira_server.sample import build_site
from tests.support.jira import LiveSite, events_of, issues_by_key, jira_rows
from tracker.models import BoardIssue, JiraBoard, JiraIssue, JiraSite, JiraSprint, SyncRun

SEARCH = r"/search(/jql)?$"
COUNT = r"/search/approximate-count$"
DONE = {"id": "10001", "name": "Done", "statusCategory": {"key": "done"}}


def _status_item(kind: str) -> dict[str, str]:
    item = {"field": "status", "fieldtype": "jira", "from": "10000", "fromString": "To Do"}
    item |= {"to": "10001", "toString": "Done"}
    return item | ({"fieldId": "status"} if kind == "cloud" else {})


def _item_count(kind: str, key: str) -> int:
    issues = {i["key"]: i for b in build_site(kind)["boards"].values() for i in b["issues"]}
    return sum(len(h["items"]) for h in issues[key]["changelog"]["histories"])


@pytest.mark.parametrize("kind", ["cloud", "datacenter"])
def test_full_sync_stores_boards_sprints_issues_and_changelogs(
    live_site: Callable[..., LiveSite], kind: str
) -> None:
    site = live_site(kind)
    result = site.sync(boards=(1, 2))

    assert result.ok, result.errors
    issues = issues_by_key(site.engine)
    assert len(issues) == 10
    assert issues["HWK-2"].sprint_ids == "4,5"
    assert issues["REV-4"].estimate == 8.0 and issues["HWK-4"].estimate is None
    assert issues["REV-1"].status_id == "10001" and issues["REV-1"].status_category == "done"
    assert issues["REV-1"].assignee == "Alex Morgan"
    assert issues["REV-1"].created_at == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert issues["REV-1"].labels == ["draft-146"]
    if kind == "datacenter":  # the Epic Link field exists only there
        assert issues["REV-2"].epic_key == "REV-5"
    # Every history of every issue, REV-1's 150 included.
    assert len(events_of(site.engine, "REV-1")) == _item_count(kind, "REV-1") == 150
    sprint_changes = events_of(site.engine, "HWK-2", "sprint")
    assert [(e.from_value, e.to_value) for e in sprint_changes] == [(None, "4"), ("4", "4,5")]
    assert [e.to_value for e in events_of(site.engine, "REV-4", "estimate")] == ["8"]
    with Session(site.engine) as session:
        board = session.execute(select(JiraBoard).where(JiraBoard.jira_id == 1)).scalar_one()
        assert board.filter_id == "10001"
        assert [c["name"] for c in board.columns] == ["To Do", "In Progress", "Done"]
        assert board.columns[-1]["statuses"] == ["10001"]
        sprints = {s.jira_id: s for s in session.execute(select(JiraSprint)).scalars()}
        assert sprints[1].state == "closed" and sprints[1].complete_at is not None
        assert sprints[3].state == "future" and sprints[3].start_at is None
        assert sprints[5].board_id != sprints[1].board_id
        runs = session.execute(select(SyncRun)).scalars().all()
    assert [r.outcome for r in runs] == ["succeeded", "succeeded"]
    assert sum(r.requests for r in runs) == len(site.server.requests)
    assert {r.counts["issues"] for r in runs} == {5, 6}  # REV-6 is on both boards


def test_cloud_uses_enhanced_search_and_data_center_start_at(
    live_site: Callable[..., LiveSite],
) -> None:
    cloud = live_site("cloud")
    cloud.sync(boards=(1,))
    assert cloud.server.count(r"^/rest/api/3/search/jql$") == 1
    assert cloud.server.count(r"/search$") == 0  # Cloud answers /search with 410
    datacenter = live_site("datacenter", search_page_limit=2)
    datacenter.sync(boards=(1,))
    pages = [r.query["startAt"] for r in datacenter.server.requests if r.path.endswith("/search")]
    assert pages == ["0", "2", "4"]  # six issues, two a page
    assert datacenter.server.count(r"/rest/api/3/") == 0


def test_estimate_field_is_discovered_per_site(live_site: Callable[..., LiveSite]) -> None:
    cloud = live_site("cloud")
    cloud.sync(boards=(1,))
    data = build_site("datacenter")
    del data["boards"][2]["configuration"]["estimation"]  # found by name ("Story Points") instead
    datacenter = live_site("datacenter", data)
    datacenter.sync(boards=(1, 2))

    with Session(cloud.engine) as session:
        fields = {
            (site, board): estimate
            for site, board, estimate in session.execute(
                select(JiraSite.name, JiraBoard.jira_id, JiraBoard.estimate_field_id).join(
                    JiraBoard, JiraBoard.site_id == JiraSite.id
                )
            )
        }
    assert fields == {
        ("cloud-site", 1): "customfield_10016",
        ("datacenter-site", 1): "customfield_10106",
        ("datacenter-site", 2): "customfield_10106",
    }
    # Both sites' estimates became numbers and "estimate" events, whatever the field is called.
    hwk = [e for e in events_of(cloud.engine, "HWK-2", "estimate")]
    assert [e.to_value for e in hwk] == ["5"]


def test_truncated_changelog_is_paged(live_site: Callable[..., LiveSite]) -> None:
    site = live_site("cloud", embedded_changelog_limit=2)
    site.sync(boards=(1, 2))

    for key in ("REV-1", "REV-3", "HWK-2"):
        assert len(events_of(site.engine, key)) == _item_count("cloud", key)
    assert site.server.count(r"/issue/REV-1/changelog$") == 2  # 150 histories, 100 a page
    assert site.server.count(r"/issue/HWK-4/changelog$") == 0  # two histories: embedded whole
    # The oldest histories, which the embedded newest-first page drops, are there.
    assert [e.to_value for e in events_of(site.engine, "REV-1", "sprint")] == ["1"]


@pytest.mark.parametrize("kind", ["cloud", "datacenter"])
def test_resync_reads_only_issues_updated_since_the_last_good_sync(
    live_site: Callable[..., LiveSite], kind: str
) -> None:
    site = live_site(kind)
    site.sync(boards=(1, 2))
    site.server.reset_log()
    site.server.update_issue("HWK-3", {"status": DONE}, items=[_status_item(kind)])

    result = site.sync()

    assert result.ok
    assert site.server.count(SEARCH) == 2  # one search per board
    assert all("updated >=" in r.query["jql"] for r in site.server.requests if "search" in r.path)
    assert {b.name: b.counts["issues"] for b in result.boards} == {"HWK board": 1, "REV board": 0}
    issue = issues_by_key(site.engine)["HWK-3"]
    assert issue.status_id == "10001"
    assert [e.to_value for e in events_of(site.engine, "HWK-3", "status")][-1] == "10001"


def test_unchanged_resync_makes_one_search_request_per_board(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("cloud")
    site.sync(boards=(1, 2))
    site.server.reset_log()

    result = site.sync()

    assert site.server.count(SEARCH) == 2
    assert site.server.count(r"/changelog$|/issue/") == 0
    assert sum(b.counts["issues"] for b in result.boards) == 0


@pytest.mark.parametrize("full", [False, True])
def test_syncing_twice_leaves_the_same_rows(live_site: Callable[..., LiveSite], full: bool) -> None:
    site = live_site("datacenter")
    site.sync(boards=(1, 2))
    before = jira_rows(site.engine)

    site.sync(full=full)

    assert jira_rows(site.engine) == before
    assert len(before["issue"]) == 10 and len(before["event"]) > 150


def test_deleted_and_moved_issues_are_marked_not_dropped(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("cloud")
    site.sync(boards=(1, 2))
    site.server.delete_issue("HWK-3")
    site.server.remove_from_board("HWK-4", 2)  # moved project: still in Jira
    site.server.remove_from_board("REV-6", 2)  # still on board 1

    result = site.sync(full=True)

    assert result.ok
    assert {b.name: b.counts["departed"] for b in result.boards} == {"HWK board": 3, "REV board": 0}
    issues = issues_by_key(site.engine)
    assert issues["HWK-3"].removed_at is not None  # deleted
    assert issues["HWK-4"].removed_at is None and issues["REV-6"].removed_at is None
    with Session(site.engine) as session:
        membership = {
            (key, board): removed
            for key, board, removed in session.execute(
                select(JiraIssue.key, JiraBoard.jira_id, BoardIssue.removed_at)
                .join(BoardIssue, BoardIssue.issue_id == JiraIssue.id)
                .join(JiraBoard, JiraBoard.id == BoardIssue.board_id)
            )
        }
    assert all(membership[(key, 2)] is not None for key in ("HWK-3", "HWK-4", "REV-6"))
    assert membership[("REV-6", 1)] is None and membership[("HWK-1", 2)] is None
    assert len(events_of(site.engine, "HWK-3")) == _item_count("cloud", "HWK-3")


def test_incremental_sync_checks_board_membership_when_due(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("cloud")
    site.sync(boards=(2,))
    site.server.remove_from_board("HWK-4", 2)

    site.sync()  # not due yet: the departure is not seen
    assert issues_by_key(site.engine)["HWK-4"].removed_at is None
    site.server.reset_log()
    site.sync(membership_check_every=timedelta(0))

    assert site.server.count(SEARCH) == 2  # the changes, then the keys only
    assert site.server.count(COUNT) == 1  # Jira's count disagreed with ours, so keys were listed
    searches = [r for r in site.server.requests if r.path.endswith("/search/jql")]
    keys_only = [r for r in searches if r.query.get("fields") == "key"]
    assert len(keys_only) == 1 and "updated" not in keys_only[0].query["jql"]
    assert keys_only[0].query["maxResults"] == "5000"
    with Session(site.engine) as session:
        removed = session.execute(
            select(BoardIssue.removed_at)
            .join(JiraIssue, JiraIssue.id == BoardIssue.issue_id)
            .where(JiraIssue.key == "HWK-4")
        ).scalar_one()
    assert removed is not None


def test_adding_a_board_marks_it_synced_and_unknown_boards_fail_clearly(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("datacenter")
    site.sync(boards=(2,))
    with Session(site.engine) as session:
        synced = session.execute(select(JiraBoard.jira_id).where(JiraBoard.synced)).scalars().all()
    assert synced == [2]

    from tracker.jira_sync.errors import SyncError

    with pytest.raises(SyncError) as raised:
        site.sync(boards=(99,))
    assert "datacenter-site" in str(raised.value) and "board 99" in str(raised.value)
    assert "HTTP 404" in str(raised.value)


def test_incremental_window_starts_before_the_last_good_sync(
    live_site: Callable[..., LiveSite],
) -> None:
    """The JQL bound is the last good sync minus the overlap, never later."""
    site = live_site("cloud")
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # British Summer Time for the account
    site.sync(boards=(1,), clock=lambda: moment)
    site.server.reset_log()

    site.sync(clock=lambda: moment + timedelta(hours=1))

    (search,) = [r for r in site.server.requests if "search" in r.path]
    assert 'updated >= "2026/07/01 11:55"' in search.query["jql"]


def test_a_truncated_data_center_changelog_is_reported_not_guessed(
    live_site: Callable[..., LiveSite],
) -> None:
    """Data Center embeds whole changelogs and has no endpoint to page them; if one ever came
    truncated, the sync stores what it got and says so (and so do the reports counting it)."""
    site = live_site("datacenter", embedded_changelog_limit=100)

    result = site.sync(boards=(1,))

    assert result.ok
    assert result.warnings == [
        "board 'REV board' (1): REV-1: Jira sent 100 of its 150 changelog histories (Data "
        "Center has no endpoint for the rest); sprint reports counting it say so"
    ]
    assert issues_by_key(site.engine)["REV-1"].changelog_missing == 50
    assert issues_by_key(site.engine)["REV-2"].changelog_missing == 0
    assert len(events_of(site.engine, "REV-1")) == 100
    assert site.server.count(r"/changelog$") == 0


@pytest.mark.parametrize("kind", ["cloud", "datacenter"])
def test_daily_membership_check_costs_one_count_when_nobody_left(
    live_site: Callable[..., LiveSite], kind: str
) -> None:
    """The daily refresh asks Jira how many issues each board has; when that matches what we
    hold (with the issues updated since), it lists no keys: about the cost of an hourly sync."""
    site = live_site(kind)
    site.sync(boards=(1, 2))
    site.server.update_issue("REV-2", {"summary": "Renamed today"})
    site.server.reset_log()

    site.sync()  # hourly: the changes only
    hourly = len(site.server.requests)
    site.server.reset_log()
    site.sync(membership_check_every=timedelta(0))  # daily: the changes, then the counts

    counts = [r for r in site.server.requests if r.query.get("maxResults") == "0"]
    counts += [r for r in site.server.requests if r.path.endswith("/approximate-count")]
    assert len(counts) == 2 and len(site.server.requests) == hourly + 2  # one count per board
    listings = [r for r in site.server.requests if r.query.get("fields") == "key"]
    assert listings == []
    with Session(site.engine) as session:
        checked = session.execute(select(JiraBoard.membership_checked_at)).scalars().all()
    assert all(moment is not None for moment in checked)
    assert all(i.removed_at is None for i in issues_by_key(site.engine).values())


def test_data_center_membership_check_lists_keys_when_its_total_disagrees(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("datacenter")
    site.sync(boards=(2,))
    site.server.remove_from_board("HWK-4", 2)
    site.server.reset_log()

    site.sync(membership_check_every=timedelta(0))

    searches = [r for r in site.server.requests if r.path.endswith("/search")]
    assert [r.query.get("maxResults") for r in searches[1:]] == ["0", "5000"]
    assert issues_by_key(site.engine)["HWK-4"].removed_at is None  # still in Jira, off the board
    with Session(site.engine) as session:
        removed = session.execute(
            select(BoardIssue.removed_at)
            .join(JiraIssue, JiraIssue.id == BoardIssue.issue_id)
            .where(JiraIssue.key == "HWK-4")
        ).scalar_one()
    assert removed is not None
