"""`tracker report sprint|velocity|programme` on the demo database, as an operator runs them."""

import json
import re
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from tracker.cli import app

pytestmark = pytest.mark.db

SUPPLIER = "karen.stokes@ledgerline.co.uk"
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
OUTCOMES = {"completed", "not_completed", "removed", "completed_outside"}


@pytest.fixture
def tracker(demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def _one_error_line(result: Result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_sprint_json_has_exactly_the_documented_shape(tracker) -> None:
    result = tracker("report", "sprint", "--site", "northmoor", "--sprint", "70", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)

    assert list(payload) == [
        "sprint",
        "warnings",
        "measure",
        "committed",
        "completed",
        "added",
        "removed",
        "not_completed",
        "issues",
        "burndown",
        "standing",
    ]
    sprint = payload["sprint"]
    assert (sprint["id"], sprint["name"], sprint["state"]) == (70, "RB Sprint 14", "closed")
    assert sprint["goal"] == "Residents can sign up for council tax e-billing"
    assert sprint["start"] == "2026-08-17T08:00:00.000Z"
    assert UTC_TIME.match(sprint["complete"]) and UTC_TIME.match(sprint["end"])
    assert payload["measure"] == "points"
    assert payload["committed"] == {"issues": 6, "points": 18}
    assert payload["completed"] == {"issues": 2, "points": 4}
    assert payload["added"] == {"issues": 3, "points": 4}
    assert payload["removed"] == {"issues": 1, "points": 5}
    assert payload["not_completed"] == {"issues": 5, "points": 14}

    issues = {issue["key"]: issue for issue in payload["issues"]}
    assert all(
        list(issue) == ["key", "outcome", "added", "initial_estimate", "final_estimate"]
        for issue in payload["issues"]
    )
    assert {issue["outcome"] for issue in payload["issues"]} == OUTCOMES
    assert issues["RB-12"] == {
        "key": "RB-12",
        "outcome": "removed",
        "added": False,
        "initial_estimate": 5.0,
        "final_estimate": 5.0,
    }
    assert issues["RB-7"]["initial_estimate"] is None  # never estimated: null, not NaN

    steps = payload["burndown"]
    assert all(list(step) == ["at", "remaining", "event", "key"] for step in steps)
    assert all(UTC_TIME.match(step["at"]) for step in steps)
    assert steps[0] == {
        "at": "2026-08-17T08:00:00.000Z",
        "remaining": 18.0,
        "event": "start",
        "key": None,
    }
    assert steps[-1]["event"] == "end"
    assert {"removed", "added", "burn", "reopen", "estimate_change"} <= {s["event"] for s in steps}


def test_sprint_without_json_is_a_readable_table(tracker) -> None:
    result = tracker("report", "sprint", "--site", "westbridge", "--sprint", "232")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("WST Sprint 31 on Waste Digital (board 11 on westbridge): closed ")
    assert (
        "Committed 21 points (4 issues) · completed 7 points (2 issues) · added 2 points "
        "(2 issues) · removed 4 points (2 issues) · not completed 13 points (1 issue)"
    ) in out
    assert re.search(r"Key\s+Outcome\s+Added\s+Initial\s+Final\s+Summary", out)
    assert re.search(r"WST-20\s+removed", out)
    assert "Carried over:\n  WST-9 (13 remaining) to WST Sprint 32" in out
    assert "sub-tasks are left out, as in Jira" in out


def test_sprint_options_change_the_figures(tracker) -> None:
    args = ("report", "sprint", "--site", "northmoor", "--sprint", "70", "--json")
    rolled = json.loads(tracker(*args, "--include-subtasks").stdout)
    assert rolled["committed"]["points"] == 21
    included = tracker(*args, "--done-at-start", "include")
    assert included.exit_code == 0
    assert tracker(*args, "--done-at-start", "sometimes").exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--site", "nowhere", "--sprint", "70"),
            "error: no site 'nowhere' with boards that you can see (sites: northmoor, westbridge)",
        ),
        (("--site", "northmoor", "--sprint", "9999"), "error: no sprint 9999 on site 'northmoor'"),
        (("--site", "northmoor", "--sprint", "86"), "error: RB Sprint 22 has not started"),
    ],
)
def test_unknown_site_or_sprint_is_one_line_and_a_non_zero_exit(tracker, args, message) -> None:
    assert _one_error_line(tracker("report", "sprint", *args, "--json")).startswith(message)


def test_supplier_reads_their_board_and_is_refused_others(tracker) -> None:
    own = tracker("--as", SUPPLIER, "report", "sprint", "--site", "northmoor", "--sprint", "70")
    assert own.exit_code == 0, own.output
    other = tracker("--as", SUPPLIER, "report", "sprint", "--site", "westbridge", "--sprint", "231")
    assert _one_error_line(other) == (
        "error: no site 'westbridge' with boards that you can see (sites: northmoor)"
    )
    velocity = tracker(
        "--as", SUPPLIER, "report", "velocity", "--site", "northmoor", "--board", "1"
    )
    assert _one_error_line(velocity) == "error: supplier contacts may not read the programme"


def test_velocity_json_and_table(tracker) -> None:
    result = tracker("report", "velocity", "--site", "westbridge", "--board", "10", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["board"] == {"id": 10, "name": "ASC Referrals", "site": "westbridge"}
    first = payload["sprints"][0]
    assert list(first) == [
        "sprint_id", "sprint", "start",
        "committed", "completed", "added", "removed", "not_completed", "average", "warnings",
    ]  # fmt: skip
    assert first["sprint"] == "ASC Sprint 21"
    assert (first["committed"], first["completed"]) == (
        {"issues": 6, "points": 20},
        {"issues": 4, "points": 12},
    )
    assert (first["added"], first["removed"]) == (
        {"issues": 1, "points": 3},
        {"issues": 0, "points": 0},
    )
    assert first["not_completed"] == {"issues": 2, "points": 7}
    assert len(payload["sprints"]) == 7 and UTC_TIME.match(first["start"])

    table = tracker("report", "velocity", "--site", "westbridge", "--board", "10")
    assert "in points (issues)" in table.stdout
    assert re.search(
        r"Sprint\s+Started\s+Committed\s+Completed\s+Added\s+Removed\s+Not completed\s+"
        r"Average completed",
        table.stdout,
    )
    assert re.search(r"ASC Sprint 21\s+17 Aug 2026\s+20 \(6\)\s+12 \(4\)", table.stdout)
    missing = tracker("report", "velocity", "--site", "westbridge", "--board", "99")
    assert _one_error_line(missing) == (
        "error: no board 99 on site 'westbridge' that you can see (10 ASC Referrals, 11 Waste "
        "Digital)"
    )


def test_programme_json_and_summary(tracker) -> None:
    name = "Marshland Shared Services Partnership"
    result = tracker("report", "programme", "--programme", name, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["programme"] == name and payload["measure"] == "issues"
    assert [f["percentile"] for f in payload["forecast"]] == [50, 85, 95]
    assert len(payload["deliverables"]) == 7
    assert payload["burnup"][-1]["done_issues"] == payload["done"]
    assert list(payload["deliverables"][0]) == [
        "ref", "title", "scope", "done", "forecast", "target_date", "slip_weeks",
    ]  # fmt: skip
    wb01 = next(d for d in payload["deliverables"] if d["ref"] == "WB-01")
    assert wb01["target_date"] == "2026-10-30" and wb01["slip_weeks"] > 0  # past its target

    text = tracker("report", "programme", "--programme", name, "--points")
    assert text.exit_code == 0 and "points done" in text.stdout and "Forecast: " in text.stdout
    assert "; target 2026-10-30, 85% date +" in text.stdout
    missing = tracker("report", "programme", "--programme", "Elsewhere")
    assert _one_error_line(missing) == (
        "error: no programme 'Elsewhere' that you can see "
        "(programmes: Marshland Shared Services Partnership)"
    )


def test_overview_json_is_what_the_overview_page_shows(tracker) -> None:
    result = tracker(
        "report", "overview", "--programme", "marshland shared services partnership", "--json"
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["counts"] == {
        "deliverables": 7, "red": 1, "amber": 2, "green": 4, "past_target": 0
    }  # fmt: skip
    by_ref = {d["ref"]: d for d in payload["deliverables"]}
    assert by_ref["ASC-01"]["rag"] == "red" and by_ref["ASC-01"]["rag_reason"]
    assert by_ref["CC-01"]["rag_reason"] is None
    assert by_ref["WB-01"]["target_date"] == "2026-10-30"
    assert by_ref["WB-01"]["likely_85"] > "2026-10-30" and by_ref["WB-01"]["slip_weeks"] > 0
    assert all(UTC_TIME.match(d["last_sync"]) for d in payload["deliverables"])


def test_overview_for_a_supplier_lists_only_their_deliverables(tracker) -> None:
    result = tracker(
        "--as", "karen.stokes@ledgerline.co.uk",
        "report", "overview", "--programme", "Marshland Shared Services Partnership",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 deliverables" in result.stdout
    assert "CTAX-02" in result.stdout and "RB-01" in result.stdout
    assert "ASC-01" not in result.stdout


def test_overview_of_an_unknown_programme_is_one_line(tracker) -> None:
    line = _one_error_line(tracker("report", "overview", "--programme", "Nowhere"))
    assert "no programme 'Nowhere'" in line


def test_deliverable_update_and_history(tracker) -> None:
    result = tracker(
        "--as", "tom.hargreaves@northmoor.gov.uk",
        "deliverable", "update", "RB-01", "--rag", "red", "--reason", "Supplier missed cutover",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "RB-01: Beta, red, target 2027-04-01"
    history = json.loads(tracker("deliverable", "history", "RB-01", "--json").stdout)
    assert [(h["rag"], h["reason"], h["changed_by"]) for h in history] == [
        ("amber -> red", "Supplier missed cutover", "project owner")
    ]


def test_deliverable_update_refusals_are_one_line(tracker) -> None:
    line = _one_error_line(
        tracker("deliverable", "update", "RB-01", "--rag", "amber", "--reason", "")
    )
    assert "a reason is required" in line
    line = _one_error_line(
        tracker("--as", "joan.whitfield@westbridge.gov.uk", "deliverable", "update", "RB-01",
                "--stage", "Live")
    )  # fmt: skip
    assert "only a project owner of the owning council or an admin" in line


def test_a_running_sprint_says_where_it_stands(tracker) -> None:
    result = tracker("report", "sprint", "--site", "northmoor", "--sprint", "84", "--json")
    assert result.exit_code == 0, result.output
    standing = json.loads(result.stdout)["standing"]
    assert set(standing) == {"remaining", "expected", "days_left", "working_days_left", "on_track"}
    assert standing["remaining"] <= json.loads(result.stdout)["committed"]["points"]
    text = tracker("report", "sprint", "--site", "northmoor", "--sprint", "84")
    assert "to the planned end; the guideline expects" in text.stdout
