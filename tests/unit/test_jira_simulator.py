"""The demo Jira sites and the benchmark simulator: Jira's shapes, a consistent changelog, and the
sprint-report edge cases each present, found by scanning the changelogs the way a sync would."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from jira_simulator import (
    NORTHMOOR_URL,
    WESTBRIDGE_URL,
    generate_demo_sites,
    generate_site,
    main,
    write_demo,
)
from tests.support.jira_replay import (
    Replay,
    all_issues,
    board_sprints,
    changes,
    closed_windows,
    done_statuses,
    estimate_field,
    ids,
    matches_sprint,
    sprint_field,
    sprint_ids,
    when,
)
from tracker.jira_sync.dataset import SiteData, read_dataset

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo" / "jira"
UK = ZoneInfo("Europe/London")
JIRA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")


@pytest.fixture(scope="module")
def sites() -> dict[str, SiteData]:
    return generate_demo_sites()


# -- reading the data the way the sync does (docs/jira------------------------------------------


def test_demo_sites_are_the_programme_s_two_jira_sites(sites: dict[str, SiteData]) -> None:
    northmoor, westbridge = sites["northmoor"], sites["westbridge"]
    assert northmoor["site"] == {"name": "northmoor", "url": NORTHMOOR_URL, "kind": "cloud"}
    assert westbridge["site"] == {"name": "westbridge", "url": WESTBRIDGE_URL, "kind": "datacenter"}
    assert northmoor["serverInfo"]["deploymentType"] == "Cloud"
    assert westbridge["serverInfo"]["deploymentType"] == "DataCenter"
    assert westbridge["serverInfo"]["version"].startswith("9.12.")
    boards = {
        name: {
            board_id: (b["board"]["name"], b["configuration"]["location"]["key"])
            for board_id, b in site["boards"].items()
        }
        for name, site in sites.items()
    }
    assert boards == {
        "northmoor": {1: ("RB Scrum", "RB"), 2: ("Contact Centre Scrum", "CC")},
        "westbridge": {10: ("ASC Referrals", "ASC"), 11: ("Waste Digital", "WST")},
    }
    assert northmoor["boards"][1]["configuration"]["location"]["name"] == "Revenues and Benefits"
    for site in sites.values():
        for board in site["boards"].values():
            assert 40 <= len(board["issues"]) <= 70
    assert "accountId" in northmoor["myself"]
    assert {"name", "key"} <= westbridge["myself"].keys()


def test_demo_content_other_code_refers_to(sites: dict[str, SiteData]) -> None:
    rb = {i["key"]: i for i in sites["northmoor"]["boards"][1]["issues"]}
    epic = rb["RB-1"]["fields"]
    assert (epic["issuetype"]["name"], epic["summary"]) == ("Epic", "Council tax e-billing")
    under_epic = [i for i in rb.values() if i["fields"].get("parent", {}).get("key") == "RB-1"]
    assert len(under_epic) >= 5
    assert all(not i["fields"]["issuetype"]["subtask"] for i in under_epic)

    cc = sites["northmoor"]["boards"][2]["issues"]
    assert 3 <= sum("welfare-advice" in i["fields"]["labels"] for i in cc) < len(cc) // 2

    wst = sites["westbridge"]["boards"][11]["issues"]
    missed = [i for i in wst if any(c["name"] == "Missed bins" for c in i["fields"]["components"])]
    assert 3 <= len(missed) < len(wst) // 2

    asc = {i["key"]: i["fields"] for i in sites["westbridge"]["boards"][10]["issues"]}
    linked = [f for f in asc.values() if f.get("customfield_10100") == "ASC-1"]
    assert asc["ASC-1"]["issuetype"]["name"] == "Epic" and len(linked) >= 5


def test_field_ids_and_status_ids_differ_between_sites(sites: dict[str, SiteData]) -> None:
    northmoor, westbridge = sites["northmoor"], sites["westbridge"]
    assert estimate_field(northmoor, 1) == estimate_field(northmoor, 2)
    assert (estimate_field(northmoor, 1)["id"], estimate_field(northmoor, 1)["name"]) == (
        "customfield_10016",
        "Story point estimate",
    )
    assert (estimate_field(westbridge, 10)["id"], estimate_field(westbridge, 10)["name"]) == (
        "customfield_10106",
        "Story Points",
    )
    assert sprint_field(northmoor)["id"] == "customfield_10020"
    assert sprint_field(westbridge)["id"] == "customfield_10104"
    epic_link = next(f for f in westbridge["field"] if f["name"] == "Epic Link")
    assert epic_link["id"] == "customfield_10100"

    def statuses(site: SiteData) -> set[str]:
        columns = site["boards"][min(site["boards"])]["configuration"]["columnConfig"]["columns"]
        return {s["id"] for column in columns for s in column["statuses"]}

    assert statuses(northmoor).isdisjoint(statuses(westbridge))


def test_board_configuration(sites: dict[str, SiteData]) -> None:
    filters = []
    for site in sites.values():
        for board_id, board in site["boards"].items():
            config = board["configuration"]
            columns = config["columnConfig"]["columns"]
            assert [c["name"] for c in columns] == ["To Do", "In Progress", "In Review", "Done"]
            names = {
                i["fields"]["status"]["id"]: i["fields"]["status"]["name"] for i in board["issues"]
            }
            assert {names[s] for s in done_statuses(site, board_id)} == {"Done", "Closed"}
            assert config["location"]["type"] == "project"
            assert config["id"] == board_id and board["board"]["type"] == "scrum"
            filters.append(config["filter"]["id"])
    assert len(set(filters)) == len(filters)


def test_sprints_follow_a_fortnightly_uk_cadence(sites: dict[str, SiteData]) -> None:
    late = 0
    for site in sites.values():
        for board_id in site["boards"]:
            sprints = board_sprints(site, board_id)
            states = [s["state"] for s in sprints]
            assert states.count("active") == 1 and states.count("future") == 1
            assert states.count("closed") >= 7 and states[-2:] == ["active", "future"]
            active = next(s for s in sprints if s["state"] == "active")
            assert when(active["startDate"]).astimezone(UK).isoformat() == (
                "2026-11-23T09:00:00+00:00"
            )
            assert when(active["endDate"]) - when(active["startDate"]) == timedelta(days=14)
            assert "startDate" not in sprints[-1] and sprints[-1]["goal"]
            closed = [s for s in sprints if s["state"] == "closed"]
            assert when(closed[0]["startDate"]).date() >= date(2026, 8, 1)
            for sprint, following in zip(closed, sprints[1:], strict=False):
                start = when(sprint["startDate"]).astimezone(UK)
                end = when(sprint["endDate"]).astimezone(UK)
                complete = when(sprint["completeDate"])
                assert (end.weekday(), end.time().isoformat()) == (0, "09:00:00")
                assert start.weekday() in (0, 1) and 9 <= start.hour <= 12
                assert end - timedelta(days=4) < complete <= end + timedelta(days=1, hours=3)
                assert complete <= when(following["startDate"])
                late += complete > end
                assert sprint["goal"] and sprint["originBoardId"] == board_id
    assert late >= 1


def test_timestamps_are_uk_wall_clock_as_jira_writes_them(sites: dict[str, SiteData]) -> None:
    seen = set()
    for _, issue in (pair for site in sites.values() for pair in all_issues(site)):
        stamps = [issue["fields"]["created"], issue["fields"]["updated"]]
        stamps += [h["created"] for h in issue["changelog"]["histories"]]
        for stamp in stamps:
            assert JIRA_TIME.match(stamp), stamp
            moment = datetime.fromisoformat(stamp)
            assert moment.utcoffset() == moment.astimezone(UK).utcoffset(), stamp
            seen.add(stamp[-5:])
    assert seen == {"+0100", "+0000"}
    cloud = board_sprints(sites["northmoor"], 1)[0]["startDate"]
    datacenter = board_sprints(sites["westbridge"], 10)[0]["startDate"]
    assert cloud.endswith("Z") and datacenter.endswith("+01:00")


# -- consistency -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["northmoor", "westbridge"])
def test_every_sprint_id_anywhere_exists(sites: dict[str, SiteData], name: str) -> None:
    site = sites[name]
    known = {s["id"] for board in site["boards"].values() for s in board["sprints"]}
    field = sprint_field(site)
    used: set[int] = set()
    for _, issue in all_issues(site):
        values = [sprint_ids(issue["fields"][field["id"]])]
        values += [
            ids(i[end]) for _, i in changes(issue, matches_sprint(site)) for end in ("from", "to")
        ]
        for value in values:
            assert value == sorted(set(value)), (issue["key"], value)
            used.update(value)
    assert used and used <= known


@pytest.mark.parametrize("name", ["northmoor", "westbridge"])
def test_changelog_replays_to_the_current_fields(sites: dict[str, SiteData], name: str) -> None:
    site = sites[name]
    cloud = site["site"]["kind"] == "cloud"
    person = "accountId" if cloud else "key"
    for board_id, issue in all_issues(site):
        fields = issue["fields"]
        replay = Replay(site, board_id, issue)
        final = replay.at(datetime.max.replace(tzinfo=UTC))
        assert final["status"] == fields["status"]["id"], issue["key"]
        assert final["sprint"] == sprint_ids(fields[sprint_field(site)["id"]]), issue["key"]
        assert final["estimate"] == fields[estimate_field(site, board_id)["id"]], issue["key"]
        columns = site["boards"][board_id]["configuration"]["columnConfig"]["columns"]
        assert replay.initial["status"] == columns[0]["statuses"][0]["id"], "created in To Do"

        chained = {
            "status": (lambda i: i["field"] == "status", fields["status"]["id"]),
            "resolution": (
                lambda i: i["field"] == "resolution",
                (fields["resolution"] or {}).get("id"),
            ),
            "assignee": (
                lambda i: i["field"] == "assignee",
                (fields["assignee"] or {}).get(person),
            ),
            "priority": (lambda i: i["field"] == "priority", fields["priority"]["id"]),
        }
        for label, (test, current) in chained.items():
            values = [(item["from"], item["to"]) for _, item in changes(issue, test)]
            for (_, before), (after, _) in pairwise(values):
                assert before == after, (issue["key"], label)
            if values:
                assert values[-1][1] == current, (issue["key"], label)
        sprints = [(ids(i["from"]), ids(i["to"])) for _, i in changes(issue, matches_sprint(site))]
        for (_, before), (after, _) in pairwise(sprints):
            assert before == after, issue["key"]
        assert issue["changelog"]["total"] == len(issue["changelog"]["histories"])
        assert issue["changelog"]["maxResults"] == issue["changelog"]["total"]


@pytest.mark.parametrize("name", ["northmoor", "westbridge"])
def test_done_means_resolved_and_subtasks_follow_their_parent(
    sites: dict[str, SiteData], name: str
) -> None:
    site = sites[name]
    field = sprint_field(site)["id"]
    by_key = {issue["key"]: issue for _, issue in all_issues(site)}
    for board_id, issue in all_issues(site):
        fields = issue["fields"]
        done = fields["status"]["id"] in done_statuses(site, board_id)
        assert (fields["resolution"] is not None) == done, issue["key"]
        assert (fields["resolutiondate"] is not None) == done, issue["key"]
        if done:
            assert when(fields["resolutiondate"]) <= when(fields["updated"])
        if fields["issuetype"]["subtask"]:
            parent = by_key[fields["parent"]["key"]]["fields"]
            assert sprint_ids(fields[field]) == sprint_ids(parent[field]), issue["key"]
            assert fields[field] is None or fields[field] == parent[field]
            assert issue["key"] in {s["key"] for s in parent["subtasks"]}
            assert fields["parent"]["fields"]["status"] == parent["status"]


def test_changelog_items_have_each_deployment_s_shape(sites: dict[str, SiteData]) -> None:
    for name, site in sites.items():
        cloud = name == "northmoor"
        kinds = set()
        unordered = []
        for _, issue in all_issues(site):
            histories = issue["changelog"]["histories"]
            moments = [when(h["created"]) for h in histories]
            if moments != sorted(moments, reverse=cloud):  # Cloud sends the newest first
                unordered.append(issue["key"])
            for history in histories:
                assert ("accountId" in history["author"]) == cloud
                assert "avatarUrls" not in history["author"]
                for item in history["items"]:
                    assert ("fieldId" in item) == cloud, item
                    kinds.add(item["field"])
                    if item["field"] == "Sprint":
                        for text in (item["from"], item["to"]):
                            assert re.fullmatch(r"(\d+(, \d+)*)?", text), text
                        names = [n for n in item["toString"].split(", ") if n]
                        assert len(names) == len(ids(item["to"]))
                    if item["field"] in ("Story point estimate", "Story Points"):
                        assert item["from"] is None and item["to"] is None
                        assert re.fullmatch(r"\d+", item["toString"] or "0")
                    if item["field"] == "status":
                        assert item["from"].isdigit() and item["to"].isdigit()
                        assert not item["fromString"].isdigit()
        assert len(unordered) == 1
        expected_estimate = "Story point estimate" if cloud else "Story Points"
        assert {"status", "resolution", "Sprint", expected_estimate, "assignee", "Rank"} <= kinds
        sprint_value = next(
            v
            for _, i in all_issues(site)
            if (v := i["fields"][sprint_field(site)["id"]]) is not None
        )[0]
        assert isinstance(sprint_value, dict) == cloud
        if not cloud:
            assert sprint_value.startswith("com.atlassian.greenhopper.service.sprint.Sprint@")


# -- the sprint-report scenarios ---------------------------------------------------------------


def scenario_keys(site: SiteData) -> dict[str, set[str]]:
    """For each edge case of Jira's sprint report, the issues that show it, found by replay."""
    found: dict[str, set[str]] = {}
    sprint = matches_sprint(site)
    issues = {issue["key"]: (board_id, issue) for board_id, issue in all_issues(site)}

    def note(name: str, key: str) -> None:
        found.setdefault(name, set()).add(key)

    for board_id, spec, start, complete in closed_windows(site):
        sid = spec["id"]
        sprints = board_sprints(site, board_id)
        following = sprints[sprints.index(spec) + 1]["id"]
        done = done_statuses(site, board_id)
        for key, (issue_board, issue) in issues.items():
            if issue_board != board_id:
                continue
            replay = Replay(site, board_id, issue)
            subtask = issue["fields"]["issuetype"]["subtask"]
            for at, item in changes(issue, lambda i: True):
                inside = start < at <= complete
                state = replay.at(at, before=True)
                member = sid in state["sprint"]
                if sprint(item):
                    old, new = ids(item["from"]), ids(item["to"])
                    if ", " in item["from"] + item["to"]:
                        note("several sprints in one Sprint value", key)
                    if inside and sid in new and sid not in old:
                        note("sub-task added via its parent" if subtask else "added", key)
                        if subtask:
                            parent = issues[issue["fields"]["parent"]["key"]][1]
                            same = [
                                i
                                for t, i in changes(parent, sprint)
                                if t == at and i["to"] == item["to"]
                            ]
                            assert same, key
                        if state["status"] in done and replay.at(start)["status"] in done:
                            note("done before the start, then pulled in", key)
                    if inside and sid in old and sid not in new:
                        note("removed", key)
                    if complete <= at < complete + timedelta(minutes=1) and new == [
                        *old,
                        following,
                    ]:
                        assert sid in old
                        note("carried over at close", key)
                elif item["field"] == "status" and inside and member:
                    if item["from"] in done and item["to"] not in done:
                        note("reopened", key)
                    if item["from"] in done and item["to"] in done:
                        note("moved between done statuses", key)
                elif (
                    inside
                    and member
                    and not subtask
                    and item["field"]
                    in (
                        "Story point estimate",
                        "Story Points",
                    )
                ):
                    note("re-estimated" if item["fromString"] else "estimated after the start", key)
            created = replay.created
            if not subtask and start < created <= complete and sid in replay.initial["sprint"]:
                note("created straight into the sprint", key)
    for key, (_, issue) in issues.items():
        moments = [when(h["created"]) for h in issue["changelog"]["histories"]]
        if moments != sorted(moments) and moments != sorted(moments, reverse=True):
            note("histories out of order", key)
    return found


SCENARIOS = {
    "added",
    "removed",
    "re-estimated",
    "reopened",
    "carried over at close",
    "moved between done statuses",
    "sub-task added via its parent",
    "done before the start, then pulled in",
    "several sprints in one Sprint value",
    "histories out of order",
    "created straight into the sprint",
}


@pytest.mark.parametrize("name", ["northmoor", "westbridge"])
def test_every_scenario_occurs_on_each_site(sites: dict[str, SiteData], name: str) -> None:
    found = scenario_keys(sites[name])
    assert found.keys() >= SCENARIOS, SCENARIOS - found.keys()
    assert len(found["histories out of order"]) == 1


@pytest.mark.parametrize("name", ["northmoor", "westbridge"])
def test_most_closed_sprints_see_scope_change_and_carry_over(
    sites: dict[str, SiteData], name: str
) -> None:
    site = sites[name]
    sprint = matches_sprint(site)
    windows = list(closed_windows(site))
    changed = carried = 0
    for board_id, spec, start, complete in windows:
        sid = spec["id"]
        moves = [
            (at, item)
            for issue in site["boards"][board_id]["issues"]
            for at, item in changes(issue, sprint)
        ]
        changed += any(
            start < at <= complete and (sid in ids(i["from"])) != (sid in ids(i["to"]))
            for at, i in moves
        )
        carried += any(at >= complete and sid in ids(i["from"]) for at, i in moves)
    assert changed > len(windows) * 0.75 and carried > len(windows) * 0.5


# -- files, determinism, scale -----------------------------------------------------------------


def test_committed_demo_files_equal_a_fresh_generation(tmp_path: Path) -> None:
    write_demo(tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(DEMO_DIR): p.read_bytes() for p in DEMO_DIR.rglob("*") if p.is_file()
    }
    assert sorted(committed) == sorted(fresh), "run: python -m jira_simulator data/demo/jira"
    stale = [str(path) for path in fresh if committed[path] != fresh[path]]
    assert not stale, f"regenerate with python -m jira_simulator data/demo/jira: {stale}"
    assert sum(len(content) for content in committed.values()) < 3_000_000


def test_committed_demo_reads_back_as_generated(sites: dict[str, SiteData]) -> None:
    for name, site in sites.items():
        loaded = read_dataset(DEMO_DIR / name)
        # The reader adds what it found about each board's saved files (`saved`: changelog pages,
        # search totals), which the generator does not write; the Jira data itself must match.
        for board in loaded["boards"].values():
            board.pop("saved", None)
        assert json.dumps(loaded, sort_keys=True) == json.dumps(site, sort_keys=True)


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    def dump(seed: int) -> str:
        return json.dumps(
            generate_site("x", "cloud", "https://x.atlassian.net", 1, 30, 3, seed=seed)
        )

    assert dump(5) == dump(5)
    assert dump(5) != dump(6)


def test_scaled_site_keeps_its_shape_and_history_mean() -> None:
    site = generate_site(
        "bench",
        "datacenter",
        "https://jira.bench.example",
        boards=5,
        issues_per_board=400,
        sprints=9,
        histories_per_issue=12,
        seed=7,
    )
    assert sorted(site["boards"]) == [1, 2, 3, 4, 5]
    issues = [issue for _, issue in all_issues(site)]
    assert len(issues) == 2000
    assert len({i["key"] for i in issues}) == len({i["id"] for i in issues}) == 2000
    keys = {b["configuration"]["location"]["key"] for b in site["boards"].values()}
    assert len(keys) == 5
    histories = [h for issue in issues for h in issue["changelog"]["histories"]]
    assert 11 <= len(histories) / len(issues) <= 13
    assert len({h["id"] for h in histories}) == len(histories)
    assert all(len(board_sprints(site, b)) == 11 for b in site["boards"])
    known = {s["id"] for b in site["boards"] for s in board_sprints(site, b)}
    field = sprint_field(site)["id"]
    assert {s for i in issues for s in sprint_ids(i["fields"][field])} <= known
    for board_id, issue in all_issues(site):
        final = Replay(site, board_id, issue).at(datetime.max.replace(tzinfo=UTC))
        assert final["status"] == issue["fields"]["status"]["id"]
        assert final["sprint"] == sprint_ids(issue["fields"][field])
    assert scenario_keys(site).keys() >= SCENARIOS - {"histories out of order"}


def test_generate_site_rejects_unknown_deployments() -> None:
    with pytest.raises(ValueError, match="kind"):
        generate_site("x", "server", "https://x")


def test_command_line_writes_the_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / "northmoor" / "boards" / "1" / "issues.json").is_file()
    assert (tmp_path / "westbridge" / "boards" / "11" / "sprints.json").is_file()
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
