"""Recorded responses of real Jira sites (samples/) go through the server and client untouched.

The hand-built sample proves behaviour; these prove shape: whatever a real site put in an issue,
sprint or board configuration reaches the sync byte-for-byte, and the JQL subset copes with real
values (Cloud sprint objects, +0800 offsets).
"""

import json
from pathlib import Path
from typing import Any

import pytest
from jira import JIRA

from tests.jira_server.fixtures import JiraServerFactory
from tests.jira_server.server import JiraServer
from tests.jira_server.shape import SPRINT_SCHEMA, oldest_first
from tracker.jira_sync.dataset import BoardData, SiteData

SAMPLES = Path(__file__).parent / "samples"


def _load(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _site(kind: str, url: str, boards: dict[int, BoardData], sprint_field: str) -> SiteData:
    """Only the board files are recorded; the rest is the least a client needs to connect."""
    return SiteData(
        site={"name": f"recorded {url}", "url": url, "kind": kind},
        serverInfo={"baseUrl": url, "versionNumbers": [1001, 0, 0], "version": "1001.0.0"},
        field=[{"id": sprint_field, "name": "Sprint", "schema": {"custom": SPRINT_SCHEMA}}],
        myself={"displayName": "Recorder"},
        boards=boards,
    )


def _board(board_id: int, configuration: dict[str, Any], **parts: Any) -> BoardData:
    board = {
        "id": board_id,
        "name": configuration.get("name", f"Board {board_id}"),
        "type": "scrum",
    }
    return BoardData(board=board, configuration=configuration, **parts)


def devlake() -> SiteData:
    issues = [record["data"] for record in _load("devlake_board8_issues.json")]
    sprints = [record["data"] for record in _load("devlake_board8_sprints.json")]
    configuration = {"id": 8, "name": "EE board", "filter": {"id": "10008"}}
    board = _board(8, configuration, sprints=sprints, issues=issues)
    return _site("cloud", "https://merico.atlassian.net", {8: board}, "customfield_10020")


def jirametrics() -> SiteData:
    issues = [_load("jirametrics_SP-1.json"), _load("jirametrics_SP-2.json")]
    configuration = _load("jirametrics_board_1_configuration.json")
    board = _board(1, configuration, sprints=[], issues=issues)
    return _site("cloud", "https://improvingflow.atlassian.net", {1: board}, "customfield_10020")


def go_jira() -> SiteData:
    configuration = _load("go-jira_board_configuration.json")
    board = _board(
        35,
        configuration,
        sprints=_load("go-jira_sprints.json")["values"],
        issues=_load("go-jira_issues_in_sprint.json")["issues"],
    )
    return _site("datacenter", "https://jira.com", {35: board}, "customfield_10105")


def connect(server: JiraServer) -> JIRA:
    return JIRA(server=server.url, **server.client_auth)


@pytest.mark.parametrize("build", [devlake, jirametrics, go_jira])
def test_recorded_boards_and_issues_come_back_untouched(
    jira_server: JiraServerFactory, build: Any
) -> None:
    data = build()
    client = connect(jira_server(data))
    ((board_id, board),) = data["boards"].items()
    filter_id = board["configuration"]["filter"]["id"]

    issues = client.search_issues(f"filter = {filter_id}", maxResults=False, expand="changelog")
    configuration = client._get_json(f"board/{board_id}/configuration", base=client.AGILE_BASE_URL)
    sprints = client.sprints(board_id, maxResults=False)

    by_key = {issue["key"]: issue for issue in board["issues"]}
    assert {issue.key: issue.raw for issue in issues} == by_key
    assert configuration == board["configuration"]
    assert [sprint.raw for sprint in sprints] == board["sprints"]


def test_recorded_cloud_values_satisfy_the_jql_subset(jira_server: JiraServerFactory) -> None:
    client = connect(jira_server(devlake()))

    def keys(jql: str) -> list[str]:
        return [issue.key for issue in client.search_issues(jql, maxResults=False)]

    assert keys("sprint = 7") == ["EE-33"]
    # K5-4 was updated at 2022-07-16T06:31:38.598+0800, which is 22:31 UTC the day before.
    assert "K5-4" in keys('project = K5 AND updated >= "2022/07/15 22:31"')
    assert keys('project = K5 AND updated >= "2022/07/15 22:32"') == []


def test_recorded_changelog_is_served_oldest_first(jira_server: JiraServerFactory) -> None:
    data = devlake()
    client = connect(jira_server(data))
    (issue,) = [i for i in data["boards"][8]["issues"] if i["key"] == "EE-33"]

    page = client._get_json("issue/EE-33/changelog")

    assert page["values"] == oldest_first(issue["changelog"]["histories"])
    assert page["values"] == list(reversed(issue["changelog"]["histories"]))
