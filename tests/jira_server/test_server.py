"""The test Jira server, driven by the real `jira` client over HTTP on both kinds of Jira."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jira import JIRA, JIRAError

from tests.jira_server.fixtures import JiraServerFactory
from tests.jira_server.sample import build_site
from tests.jira_server.server import JiraServer
from tests.jira_server.shape import parse_instant

KINDS = ("cloud", "datacenter")
REV_KEYS = ["REV-1", "REV-2", "REV-3", "REV-4", "REV-5", "REV-6"]


def connect(server: JiraServer, **kwargs: Any) -> JIRA:
    return JIRA(server=server.url, **{**server.client_auth, **kwargs})


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


def test_server_info_and_myself_answer_as_the_kind(jira_server: JiraServerFactory, kind: str):
    server = jira_server(build_site(kind))
    client = connect(server)

    info = client.server_info()
    assert info["deploymentType"] == ("Cloud" if kind == "cloud" else "DataCenter")
    assert info["baseUrl"] == server.url
    assert client.myself()["displayName"] == "Alex Morgan"
    assert {f["id"] for f in client.fields()} >= {"summary", "status", "updated"}


def test_boards_and_sprints_page_until_the_last(jira_server: JiraServerFactory, kind: str):
    server = jira_server(build_site(kind), agile_page_limit=1)
    client = connect(server)

    boards = client.boards(maxResults=False)
    sprints = client.sprints(1, maxResults=False)

    assert [b.name for b in boards] == ["REV board", "HWK board"]
    assert server.count(r"^/rest/agile/1\.0/board$") == 2
    assert [s.name for s in sprints] == ["REV Sprint 1", "REV Sprint 2", "REV Sprint 3"]
    # Sprint pages carry no total and the client reads isLast only on the first page, so it stops
    # at the first short page: here an empty fourth one.
    assert server.count(r"/board/1/sprint$") == 4
    assert [s.id for s in client.sprints(1, state="active,future", maxResults=False)] == [2, 3]
    assert client.sprint(5).name == "HWK Sprint 2"


def test_search_pages_through_the_endpoint_of_each_kind(jira_server: JiraServerFactory, kind: str):
    server = jira_server(build_site(kind), search_page_limit=4)
    client = connect(server)

    issues = client.search_issues(
        "filter = 10001 ORDER BY key ASC", maxResults=False, expand="changelog"
    )

    assert [i.key for i in issues] == REV_KEYS
    assert all("changelog" in i.raw for i in issues)
    if kind == "cloud":
        assert server.count(r"^/rest/api/2/search/jql$") == 2
        assert server.count(r"/search$") == 0
    else:
        assert server.count(r"^/rest/api/2/search$") == 2
        assert server.count(r"/search/jql$") == 0


def test_cloud_client_on_api_3_searches_api_3(jira_server: JiraServerFactory):
    server = jira_server(build_site("cloud"))
    client = connect(server, options={"rest_api_version": "3"})

    assert len(client.search_issues("project = HWK", maxResults=False)) == 4
    assert server.count(r"^/rest/api/3/search/jql$") == 1


def test_cloud_answers_the_removed_search_with_410(jira_server: JiraServerFactory):
    server = jira_server(build_site("cloud"))

    for version in ("2", "3"):
        client = connect(server, options={"rest_api_version": version})
        for use_post in (False, True):
            with pytest.raises(JIRAError) as raised:
                client._get_json("search", params={"jql": "project = REV"}, use_post=use_post)
            assert raised.value.status_code == 410
            assert "/rest/api/3/search/jql" in raised.value.text
    assert server.count(r"^/rest/api/3/search$", method="POST") == 1


def test_datacenter_has_neither_search_jql_nor_api_3(jira_server: JiraServerFactory):
    server = jira_server(build_site("datacenter"))
    client = connect(server)

    with pytest.raises(JIRAError) as raised:
        client._get_json("search/jql", params={"jql": "project = REV"})
    assert raised.value.status_code == 404
    with pytest.raises(JIRAError) as raised:
        connect(server, options={"rest_api_version": "3"})
    assert raised.value.status_code == 404


def test_cloud_raw_pages_follow_next_page_token(jira_server: JiraServerFactory):
    client = connect(jira_server(build_site("cloud")))
    jql = "project in (REV, HWK) ORDER BY key DESC"

    first = client.enhanced_search_issues(jql, maxResults=6, json_result=True)
    second = client.enhanced_search_issues(
        jql, nextPageToken=first["nextPageToken"], maxResults=6, json_result=True
    )

    assert set(first) == {"issues", "nextPageToken", "isLast"}
    assert first["isLast"] is False
    assert set(second) == {"issues", "isLast"} and second["isLast"] is True
    keys = [i["key"] for i in first["issues"] + second["issues"]]
    assert keys == [f"REV-{n}" for n in range(6, 0, -1)] + [f"HWK-{n}" for n in range(4, 0, -1)]
    with pytest.raises(JIRAError) as raised:
        client.enhanced_search_issues("project = REV", nextPageToken=first["nextPageToken"])
    assert raised.value.status_code == 400


def test_cloud_pages_keys_only_searches_in_bigger_pages(jira_server: JiraServerFactory):
    client = connect(jira_server(build_site("cloud"), search_page_limit=2))
    jql = "project in (REV, HWK)"

    keys_only = client.enhanced_search_issues(jql, maxResults=1000, fields="key", json_result=True)
    with_fields = client.enhanced_search_issues(jql, maxResults=1000, json_result=True)

    assert (len(keys_only["issues"]), keys_only["isLast"]) == (10, True)
    assert (len(with_fields["issues"]), with_fields["isLast"]) == (2, False)


def test_datacenter_raw_pages_count_from_start_at(jira_server: JiraServerFactory):
    client = connect(jira_server(build_site("datacenter")))

    page = client.search_issues(
        "project = REV ORDER BY key", startAt=4, maxResults=4, json_result=True
    )

    assert {k: page[k] for k in ("startAt", "maxResults", "total")} == {
        "startAt": 4,
        "maxResults": 4,
        "total": 6,
    }
    assert [i["key"] for i in page["issues"]] == ["REV-5", "REV-6"]


def test_post_search_matches_get(jira_server: JiraServerFactory, kind: str):
    server = jira_server(build_site(kind))
    client = connect(server)
    jql = "sprint = 2 ORDER BY key"

    by_get = client.search_issues(jql, maxResults=False, fields="summary")
    by_post = client.search_issues(jql, maxResults=False, fields="summary", use_post=True)

    assert [i.key for i in by_post] == [i.key for i in by_get] == ["REV-3", "REV-4", "REV-6"]
    assert server.count(r"/search", method="POST") == 1
    assert set(by_post[0].raw["fields"]) == {"summary"}


def test_cloud_embeds_only_the_newest_100_histories(jira_server: JiraServerFactory):
    server = jira_server(build_site("cloud"))
    client = connect(server)
    complete = build_site("cloud")["boards"][1]["issues"][0]["changelog"]["histories"]

    (issue,) = client.search_issues("key = REV-1", expand="changelog")
    embedded = issue.raw["changelog"]

    assert (embedded["total"], embedded["maxResults"], len(embedded["histories"])) == (
        150,
        100,
        100,
    )
    kept = {h["id"] for h in embedded["histories"]}
    oldest_kept = min(parse_instant(h["created"]) for h in embedded["histories"])
    left_out = [h for h in complete if h["id"] not in kept]
    assert all(parse_instant(h["created"]) < oldest_kept for h in left_out)
    assert client.issue("REV-1", expand="changelog").raw["changelog"]["total"] == 150


def test_cloud_changelog_endpoint_pages_oldest_first(jira_server: JiraServerFactory):
    client = connect(jira_server(build_site("cloud")))

    first = client._get_json("issue/REV-1/changelog", params={"startAt": 0})
    second = client._get_json("issue/REV-1/changelog", params={"startAt": 100})

    assert (first["total"], len(first["values"]), first["isLast"]) == (150, 100, False)
    assert "startAt=100" in first["nextPage"]
    assert (len(second["values"]), second["isLast"]) == (50, True)
    histories = first["values"] + second["values"]
    times = [parse_instant(h["created"]) for h in histories]
    assert times == sorted(times)
    first_fields = [h["items"][0]["field"] for h in histories[:4]]
    assert first_fields == ["Story point estimate", "Sprint", "status", "status"]


def test_datacenter_embeds_every_history_and_has_no_changelog_endpoint(
    jira_server: JiraServerFactory,
):
    server = jira_server(build_site("datacenter"))
    client = connect(server)

    (issue,) = client.search_issues("key = REV-1", expand="changelog")

    assert len(issue.raw["changelog"]["histories"]) == 150
    with pytest.raises(JIRAError) as raised:
        client._get_json("issue/REV-1/changelog")
    assert raised.value.status_code == 404
    small = connect(jira_server(build_site("datacenter"), embedded_changelog_limit=10))
    (cut,) = small.search_issues("key = REV-1", expand="changelog")
    assert (cut.raw["changelog"]["total"], len(cut.raw["changelog"]["histories"])) == (150, 10)


def test_board_configuration_names_the_kinds_estimate_field(
    jira_server: JiraServerFactory, kind: str
):
    data = build_site(kind)
    client = connect(jira_server(data))

    config = client._get_json("board/1/configuration", base=client.AGILE_BASE_URL)

    assert config == data["boards"][1]["configuration"]
    expected = "customfield_10016" if kind == "cloud" else "customfield_10106"
    assert config["estimation"]["field"]["fieldId"] == expected


def test_board_issue_endpoint_ands_jql_with_the_board(jira_server: JiraServerFactory, kind: str):
    client = connect(jira_server(build_site(kind)))

    page = client._get_json(
        "board/2/issue",
        params={"jql": "project = REV", "expand": "changelog"},
        base=client.AGILE_BASE_URL,
    )

    assert (page["total"], [i["key"] for i in page["issues"]]) == (1, ["REV-6"])
    assert "changelog" in page["issues"][0]


def test_wrong_or_missing_credentials_get_401(jira_server: JiraServerFactory, kind: str):
    server = jira_server(build_site(kind))
    wrong = {"basic_auth": ("tester@council.example", "nope")}
    if kind == "datacenter":
        wrong = {"token_auth": "nope"}

    with pytest.raises(JIRAError) as raised:
        JIRA(server=server.url, max_retries=0, **wrong)
    assert raised.value.status_code == 401

    anonymous = JIRA(server=server.url, max_retries=0)  # serverInfo needs no credentials
    with pytest.raises(JIRAError) as raised:
        anonymous.myself()
    assert raised.value.status_code == 401
    assert "authenticated" in raised.value.text


def test_cloud_refuses_a_bearer_token(jira_server: JiraServerFactory):
    server = jira_server(build_site("cloud"))

    with pytest.raises(JIRAError) as raised:
        JIRA(server=server.url, token_auth="cloud-api-token", max_retries=0)
    assert raised.value.status_code == 401


@pytest.mark.parametrize(("kind", "status"), [("cloud", 429), ("datacenter", 503)])
def test_client_waits_out_retry_after(jira_server: JiraServerFactory, kind: str, status: int):
    server = jira_server(build_site(kind))
    client = connect(server)
    server.fail(r"/search", status, times=1, retry_after=1)

    assert len(client.search_issues("project = HWK", maxResults=False)) == 4
    assert [r.status for r in server.requests if "/search" in r.path] == [status, 200]


def test_server_errors_surface_without_retry(jira_server: JiraServerFactory):
    server = jira_server(build_site("cloud"))
    client = connect(server)
    server.fail(r"/board$", 500)

    with pytest.raises(JIRAError) as raised:
        client.boards()
    assert raised.value.status_code == 500
    assert server.count(r"/board$") == 1
    assert len(client.boards()) == 2  # the fault was for one request only


def test_forbidden_board_answers_403_and_its_filter_is_unknown(
    jira_server: JiraServerFactory, kind: str
):
    client = connect(jira_server(build_site(kind), forbidden_boards={2}))

    with pytest.raises(JIRAError) as raised:
        client.sprints(2)
    assert raised.value.status_code == 403
    with pytest.raises(JIRAError) as raised:
        client.search_issues("filter = 10002")
    assert raised.value.status_code == 400
    assert len(client.boards()) == 2


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("summary ~ rebate", "Field 'summary' does not exist"),
        ("project = REV OR project = HWK", "Unsupported by the test Jira server: 'OR'"),
        ('updated >= "last week"', "Date value 'last week' for field 'updated' is invalid"),
        ("key in (REV-1, REV-99)", "An issue with key 'REV-99' does not exist for field 'key'."),
        ("project = REV AND", "Expecting a field name but reached the end"),
    ],
)
def test_jql_errors_come_back_as_400(
    jira_server: JiraServerFactory, kind: str, jql: str, message: str
):
    client = connect(jira_server(build_site(kind)))

    with pytest.raises(JIRAError) as raised:
        client.search_issues(jql)
    assert raised.value.status_code == 400
    assert message in raised.value.text


def test_only_cloud_refuses_unbounded_queries(jira_server: JiraServerFactory):
    cloud = connect(jira_server(build_site("cloud")))
    datacenter = connect(jira_server(build_site("datacenter")))

    with pytest.raises(JIRAError, match="Unbounded JQL"):
        cloud.search_issues("ORDER BY key")
    assert len(datacenter.search_issues("ORDER BY key", maxResults=False)) == 10


def test_jql_subset_selects_and_orders(jira_server: JiraServerFactory, kind: str):
    data = build_site(kind)
    client = connect(jira_server(data))
    every = {i["key"]: i for board in data["boards"].values() for i in board["issues"]}
    since = datetime(2026, 1, 3, 0, 0, tzinfo=UTC)
    recent = sorted(
        (k for k, i in every.items() if parse_instant(i["fields"]["updated"]) >= since),
        key=lambda k: parse_instant(every[k]["fields"]["updated"]),
        reverse=True,
    )

    def keys(jql: str) -> list[str]:
        return [i.key for i in client.search_issues(jql, maxResults=False, fields="updated")]

    assert keys(
        'project in (REV, HWK) AND updated >= "2026/01/03 00:00" ORDER BY updated DESC'
    ) == (recent)
    assert keys(
        "updated >= '2026-01-03 00:00' AND project in (rev, hwk) ORDER BY updated DESC"
    ) == (recent)
    assert keys("key in (HWK-2, REV-1) ORDER BY key") == ["HWK-2", "REV-1"]
    assert keys("sprint = 4 ORDER BY key DESC") == ["HWK-2", "HWK-1"]
    assert keys("filter = 10002 AND sprint in (2, 5) ORDER BY created ASC") == [
        "REV-6",
        "HWK-2",
        "HWK-3",
    ]


def test_fields_parameter_is_respected(jira_server: JiraServerFactory):
    client = connect(jira_server(build_site("cloud")))

    def fields_of(**params: Any) -> set[str] | None:
        page = client._get_json("search/jql", params={"jql": "key = REV-2", **params})
        (issue,) = page["issues"]
        assert {"id", "key", "self", "expand"} <= set(issue)
        return set(issue["fields"]) if "fields" in issue else None

    assert fields_of() is None  # Cloud's enhanced search returns ids only by default
    assert fields_of(fields="summary,status") == {"summary", "status"}
    assert "comment" not in fields_of(fields="*navigable")  # type: ignore[operator]
    assert "comment" in fields_of(fields="*all")  # type: ignore[operator]
    assert "comment" not in fields_of(fields="*all,-comment")  # type: ignore[operator]


def test_approximate_count_on_cloud(jira_server: JiraServerFactory):
    client = connect(jira_server(build_site("cloud")))

    assert client.approximate_issue_count("project = REV") == 6


def test_updates_are_seen_by_the_next_incremental_search(jira_server: JiraServerFactory, kind: str):
    server = jira_server(build_site(kind))
    client = connect(server)
    moment = datetime(2026, 2, 10, 14, 30, 15, tzinfo=UTC)
    status = {"from": "10000", "fromString": "To Do", "to": "3", "toString": "In Progress"}
    item = {"field": "status", "fieldtype": "jira", **status}

    server.update_issue("HWK-3", {"summary": "Calendar fixed"}, items=[item], at=moment)
    (changed,) = client.search_issues('updated >= "2026/02/10 14:30"', expand="changelog")

    assert changed.key == "HWK-3"
    assert changed.fields.summary == "Calendar fixed"
    assert changed.raw["fields"]["updated"] == "2026-02-10T14:30:15.000+0000"
    histories = changed.raw["changelog"]["histories"]
    newest = histories[0] if kind == "cloud" else histories[-1]
    assert newest["items"] == [item]
    assert changed.raw["changelog"]["total"] == len(histories) == 3


def test_deleted_moved_and_added_issues(jira_server: JiraServerFactory, kind: str):
    data = build_site(kind)
    server = jira_server(data)
    client = connect(server)
    new = {**data["boards"][2]["issues"][0], "id": "19999", "key": "HWK-9"}

    server.delete_issue("HWK-1")
    server.remove_from_board("REV-6", 2)
    server.add_issue(new, boards=[2])
    server.update_sprint(5, state="closed")

    assert [i.key for i in client.search_issues("filter = 10002 ORDER BY key")] == [
        "HWK-2",
        "HWK-3",
        "HWK-4",
        "HWK-9",
    ]
    with pytest.raises(JIRAError) as raised:
        client.issue("HWK-1")
    assert raised.value.status_code == 404
    assert client.issue("REV-6").key == "REV-6"
    assert [s.id for s in client.sprints(2, state="closed")] == [4, 5]


def test_request_log_records_queries_and_resets(jira_server: JiraServerFactory):
    server = jira_server(build_site("datacenter"))
    client = connect(server)
    server.reset_log()

    client.sprints(1, state="closed")

    (logged,) = server.requests
    assert (logged.method, logged.path, logged.status) == (
        "GET",
        "/rest/agile/1.0/board/1/sprint",
        200,
    )
    assert logged.query["state"] == "closed"


def test_changes_while_searching_never_break_a_response(jira_server: JiraServerFactory):
    server = jira_server(build_site("cloud"), search_page_limit=3)
    client = connect(server)
    results: list[list[str]] = []
    done = threading.Event()

    def search() -> None:
        while not (results and done.is_set()):
            issues = client.search_issues("project = HWK", maxResults=False, expand="changelog")
            results.append([i.key for i in issues])

    searcher = threading.Thread(target=search)
    searcher.start()
    item = {"field": "labels", "fieldtype": "jira", "from": None, "to": None}
    for minute in range(40):
        at = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=minute)
        server.update_issue("HWK-4", {"labels": [str(minute)]}, items=[item], at=at)
    done.set()
    searcher.join()

    assert results and all(keys == ["HWK-4", "HWK-3", "HWK-2", "HWK-1"] for keys in results)
    assert client.issue("HWK-4", expand="changelog").raw["changelog"]["total"] == 40
