"""Real Jira responses (tests/jira/samples, see its README) through the sync's ingestion: offsets
such as +0800 and -07:00, newest-first histories, sprint lists as "38, 40", items without a
`fieldId`, estimates found by name, sub-tasks and team-managed epics."""

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.support.jira import LiveSite, events_of, issues_by_key
from tracker.jira_sync.dataset import BoardData, SiteData, write_dataset
from tracker.jira_sync.offline import import_site_directory
from tracker.models import JiraBoard, JiraIssue, JiraSprint

SAMPLES = Path(__file__).parent / "samples"
SPRINT_SCHEMA = "com.pyxis.greenhopper.jira:gh-sprint"


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _field(field_id: str, name: str, custom: str | None = None) -> dict[str, Any]:
    schema = {"type": "any", "custom": custom} if custom else {"type": "string", "system": field_id}
    return {"id": field_id, "key": field_id, "name": name, "custom": bool(custom), "schema": schema}


def _site(name: str, fields: list[dict[str, Any]], boards: dict[int, BoardData]) -> SiteData:
    url = f"https://{name}.atlassian.net"
    return SiteData(
        site={"name": name, "url": url, "kind": "cloud"},
        serverInfo={
            "baseUrl": url,
            "version": "1001.0.0",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
        },
        field=[_field("summary", "Summary"), _field("status", "Status"), *fields],
        myself={
            "displayName": "Sample",
            "emailAddress": "sample@council.example",
            "timeZone": "UTC",
        },
        boards=boards,
    )


def _board(
    board_id: int, name: str, configuration: dict[str, Any], issues: list[Any], sprints: list[Any]
) -> BoardData:
    board = {
        "id": board_id,
        "name": name,
        "type": configuration.get("type", "scrum"),
        "location": {"projectKey": name.split()[0]},
    }
    return BoardData(board=board, configuration=configuration, sprints=sprints, issues=issues)


def devlake_site() -> SiteData:
    """Board 8 of a Cloud site in China (+0800): stories, sub-tasks, a team-managed epic."""
    configuration = {
        "id": 8,
        "name": "EE board",
        "type": "scrum",
        "filter": {"id": "10008"},
        "columnConfig": {
            "columns": [
                {"name": "To Do", "statuses": [{"id": "10066"}]},
                {"name": "Done", "statuses": [{"id": "10068"}]},
            ]
        },
    }
    fields = [
        _field("customfield_10020", "Sprint", SPRINT_SCHEMA),
        _field("customfield_10014", "Epic Link", "com.pyxis.greenhopper.jira:gh-epic-link"),
        _field(
            "customfield_10016",
            "Story point estimate",
            "com.pyxis.greenhopper.jira:jsw-story-points",
        ),
    ]
    board = _board(
        8,
        "EE board",
        configuration,
        _sample("devlake/issues.json"),
        _sample("devlake/sprints.json"),
    )
    return _site("merico", fields, {8: board})


def jirametrics_site() -> SiteData:
    """A Cloud kanban board whose configuration names no estimation field."""
    fields = [
        _field("customfield_10020", "Sprint", SPRINT_SCHEMA),
        _field(
            "customfield_10021",
            "Flagged",
            "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
        ),
        _field(
            "customfield_10036",
            "Story Points",
            "com.atlassian.jira.plugin.system.customfieldtypes:float",
        ),
    ]
    issues = [_sample(f"jirametrics/{key}.json") for key in ("SP-1", "SP-5", "SP-13")]
    configuration = _sample("jirametrics/sample_board_1_configuration.json")
    return _site("improvingflow", fields, {1: _board(1, "SP board", configuration, issues, [])})


def _import(engine: Engine, data: SiteData, tmp_path: Path) -> None:
    directory = tmp_path / data["site"]["name"]
    write_dataset(data, directory)
    import_site_directory(engine, directory)


def test_offsets_become_utc_and_sprints_keep_their_dates(engine: Engine, tmp_path: Path) -> None:
    _import(engine, devlake_site(), tmp_path)

    issues = issues_by_key(engine)
    assert issues["EE-1"].created_at == datetime(2020, 6, 12, 0, 13, 13, 360000, tzinfo=UTC)
    first = events_of(engine, "EE-1")[0]
    assert first.at == datetime(2020, 6, 12, 0, 21, 20, 929000, tzinfo=UTC)  # 08:21:20.929+0800
    with Session(engine) as session:
        sprint = session.execute(select(JiraSprint).where(JiraSprint.jira_id == 7)).scalar_one()
    assert sprint.complete_at == datetime(2020, 6, 22, 5, 59, 58, 980000, tzinfo=UTC)
    assert sprint.state == "closed"


def test_sub_tasks_and_team_managed_epics(engine: Engine, tmp_path: Path) -> None:
    _import(engine, devlake_site(), tmp_path)

    issues = issues_by_key(engine)
    assert issues["EE-25"].is_subtask and issues["EE-25"].parent_key == "EE-1"
    assert issues["EE-25"].epic_key is None  # its parent is a story, not an epic
    assert issues["K5-3"].epic_key == "K5-4"  # parent of hierarchy level 1
    assert issues["EE-1"].sprint_ids == "7"
    assert [(e.from_value, e.to_value) for e in events_of(engine, "EE-1", "sprint")] == [
        (None, "7")
    ]
    assert [e.to_string for e in events_of(engine, "EE-1", "epic link")] == ["EE-11"]


def test_estimate_found_by_name_and_items_without_field_id(engine: Engine, tmp_path: Path) -> None:
    _import(engine, jirametrics_site(), tmp_path)

    with Session(engine) as session:
        board = session.execute(select(JiraBoard)).scalar_one()
    assert board.estimate_field_id == "customfield_10036"  # "Story Points", by name
    assert board.columns[-1] == {"name": "Done", "statuses": ["10002"]}
    issues = issues_by_key(engine)
    assert issues["SP-13"].estimate == 13.0 and issues["SP-13"].sprint_ids == "3"
    assert [e.to_value for e in events_of(engine, "SP-13", "estimate")] == ["13"]
    assert [e.to_value for e in events_of(engine, "SP-13", "sprint")] == ["3"]
    assert [e.to_string for e in events_of(engine, "SP-13", "link")] == [
        "This issue is cloned by SP-15"
    ]
    assert [e.to_value for e in events_of(engine, "SP-1", "flagged")] == ["[10019]"]


def test_newest_first_histories_are_stored_in_time_order(engine: Engine, tmp_path: Path) -> None:
    _import(engine, jirametrics_site(), tmp_path)

    statuses = [(e.from_value, e.to_value) for e in events_of(engine, "SP-1", "status")]
    assert statuses == [("10000", "10001"), ("10001", "3"), ("3", "10011")]


def test_go_jira_board_configuration_and_sprints(engine: Engine, tmp_path: Path) -> None:
    configuration = _sample("go-jira/board_configuration.json")
    sprints = _sample("go-jira/sprints.json")["values"]
    _import(
        engine,
        _site("gojira", [], {35: _board(35, "IT board", configuration, [], sprints)}),
        tmp_path,
    )

    with Session(engine) as session:
        board = session.execute(select(JiraBoard)).scalar_one()
        sprint = session.execute(select(JiraSprint).where(JiraSprint.jira_id == 740)).scalar_one()
    assert (board.board_type, board.filter_id, board.project_key) == ("kanban", "12116", "IT")
    assert board.columns[-1]["statuses"] == ["10601"] and len(board.columns) == 6
    assert board.estimate_field_id is None
    assert sprint.start_at == datetime(2016, 4, 11, 14, 29, 3, 294000, tzinfo=UTC)  # -07:00


def test_a_recorded_changelog_is_paged_when_search_truncates_it(
    live_site: Callable[..., LiveSite],
) -> None:
    """Issue 13954's real histories ("38, 40" sprint lists, +0800) behind a truncated search."""
    data = devlake_site()
    issue = copy.deepcopy(data["boards"][8]["issues"][0])
    histories = _sample("devlake/changelog_13954.json")
    issue["changelog"] = {
        "startAt": 0,
        "maxResults": len(histories),
        "total": len(histories),
        "histories": histories[::-1],
    }
    data["boards"][8]["issues"] = [issue]
    site = live_site("cloud", data, embedded_changelog_limit=5)

    assert site.sync(boards=(8,)).ok

    assert site.server.count(r"/issue/EE-1/changelog$") == 1
    sprints = [(e.from_value, e.to_value) for e in events_of(site.engine, "EE-1", "sprint")]
    assert sprints[:3] == [(None, "38"), ("38", "38,40"), ("38,40", "38,40,41")]
    assert sprints[-1] == ("38,40,41,42,43,46,47,50,57,60", "38,40,41,42,43,46,47,50,57")
    assert len(events_of(site.engine, "EE-1")) == sum(len(h["items"]) for h in histories)


def test_live_sync_and_offline_import_store_the_same_rows(
    live_site: Callable[..., LiveSite], tmp_path: Path
) -> None:
    data = jirametrics_site()
    site = live_site("cloud", data)
    site.sync(boards=(1,))
    _import(site.engine, data, tmp_path)

    with Session(site.engine) as session:
        issues = session.execute(select(JiraIssue).order_by(JiraIssue.key)).scalars().all()
        by_site: dict[int, list[tuple[Any, ...]]] = {}
        for issue in issues:
            row = {k: v for k, v in issue.model_dump().items() if k not in {"id", "site_id"}}
            events = [
                (e.history_id, e.item_index, e.at, e.field, e.from_value, e.to_value)
                for e in events_of(site.engine, issue.key)
                if e.issue_id == issue.id
            ]
            by_site.setdefault(issue.site_id, []).append((row, events))
    live, offline = by_site.values()
    assert live == offline
