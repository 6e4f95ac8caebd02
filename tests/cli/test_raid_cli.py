"""`tracker raid|decision|deps` on a private copy of the demo, as an operator and as users."""

import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from tests.support.roles import BOARD, OWNER, SUPPLIER
from tracker.cli import app

pytestmark = pytest.mark.db


@pytest.fixture
def tracker(demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def problems(result: Result) -> list[str]:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    return [line.strip() for line in lines[1:]]


def codes(tracker, *who: str) -> set[str]:
    result = tracker(*who, "raid", "list", "--json")
    assert result.exit_code == 0, result.output
    return {item["code"] for item in json.loads(result.stdout)["items"]}


def test_list_json_has_scores_attention_and_a_heatmap_equal_to_the_register(tracker) -> None:
    result = tracker("raid", "list", "--json")
    payload = json.loads(result.stdout)
    items = {item["code"]: item for item in payload["items"]}
    assert items["R-1"]["score"] == 20 and items["R-1"]["needs_attention"] is True
    assert items["R-1"]["review_date"] == "2026-12-11"
    open_risks = [i for i in items.values() if i["kind"] == "risk" and i["status"] == "open"]
    grid = payload["heatmap"]["likelihood_by_impact"]
    assert sum(map(sum, grid)) == len(open_risks)
    assert payload["heatmap"]["likelihood"] == [5, 4, 3, 2, 1]
    assert grid[1][4] == 1  # likelihood 4, impact 5: R-1


def test_a_supplier_sees_only_their_own_deliverables_items(tracker) -> None:
    mine = codes(tracker, "--as", SUPPLIER)
    assert mine == {"R-1", "R-8", "A-1", "I-2"}  # on RB-01 and CTAX-02, Ledgerline's
    assert "R-9" in codes(tracker)  # Binwise's own risk on MB-01
    hidden = tracker("--as", SUPPLIER, "raid", "update", "R-9", "--impact", "1")
    assert "no RAID item 'R-9' that you can see" in hidden.stderr
    refused = tracker("--as", SUPPLIER, "raid", "update", "R-1", "--impact", "1")
    assert refused.exit_code == 1 and "may not change" in refused.stderr
    deps = json.loads(tracker("--as", SUPPLIER, "deps", "--json").stdout)["dependencies"]
    assert all({"RB-01", "CTAX-02"} & {d["consumer"], d["provider"]} for d in deps)


def test_add_update_and_occur(tracker) -> None:
    added = tracker(
        "--as", OWNER, "raid", "add", "--kind", "risk", "--title", "Print contract ends",
        "--deliverable", "RB-01", "--owner-organisation", "Northmoor District Council",
        "--likelihood", "2", "--impact", "3",
    )  # fmt: skip
    assert added.exit_code == 0 and added.stdout.strip() == "raised R-10: Print contract ends"
    occurred = tracker("--as", OWNER, "raid", "update", "R-10", "--status", "occurred")
    assert occurred.stdout.strip() == "saved R-10; it occurred and became I-4"
    refused = tracker("--as", BOARD, "raid", "update", "R-10", "--mitigation", "x")
    assert refused.exit_code == 1
    assert tracker("audit", "verify").exit_code == 0


def test_bad_input_is_every_problem_and_nothing_written(tracker) -> None:
    before = codes(tracker)
    result = tracker(
        "raid", "add", "--kind", "risk", "--title", "Bad", "--owner-organisation", "Nowhere Ltd",
        "--likelihood", "6", "--impact", "0",
    )  # fmt: skip
    assert problems(result) == [
        "owner_organisation 'Nowhere Ltd' is not an organisation of this programme",
        "likelihood '6' must be a whole number from 1 to 5",
        "impact '0' must be a whole number from 1 to 5",
    ]
    assert codes(tracker) == before


def test_export_and_import_round_trip_and_a_bad_file_writes_nothing(
    tracker, tmp_path: Path
) -> None:
    out = tmp_path / "raid.xlsx"
    assert tracker("raid", "export", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["RAID"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["code", "kind", "title"] and "score" in header
    unchanged = tracker("raid", "import", str(out))
    assert unchanged.exit_code == 0, unchanged.output
    entries = tracker("audit", "verify").stdout
    csv = tmp_path / "raid.csv"
    csv.write_text(
        "code,kind,title,owner_organisation,likelihood,impact,score\n"
        "R-1,risk,Eastvale account migration misses the March billing run,"
        "Northmoor District Council,4,5,12\n"
        ",risk,New one,Northmoor District Council,2,2,\n"
        ",issue,,Nowhere Ltd,,,\n",
        encoding="utf-8",
    )
    assert problems(tracker("raid", "import", str(csv))) == [
        "RAID row 2: score is computed, never typed: 4 x 5 = 20, not 12 (leave it empty)",
        "RAID row 4: title is required, up to 200 characters",
        "RAID row 4: owner_organisation 'Nowhere Ltd' is not an organisation of this programme",
    ]
    assert tracker("audit", "verify").stdout == entries  # nothing written
    csv.write_text("code,kind,title,owner_organisation,colour\n", encoding="utf-8")
    unknown = tracker("raid", "import", str(csv))
    assert unknown.exit_code == 1 and "unknown column(s) colour" in unknown.stderr


def test_decisions_at_the_command_line(tracker) -> None:
    listed = json.loads(tracker("decision", "list", "--status", "proposed", "--json").stdout)
    assert [d["code"] for d in listed["decisions"]] == ["D-6", "D-5", "D-4"]
    decided = tracker(
        "--as", OWNER, "decision", "decide", "D-5", "--outcome", "Funded", "--body",
        "programme board", "--on", "2026-11-26", "--minute", "PB-2026-11 item 7",
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    edited = tracker(
        "decision", "decide", "D-5", "--outcome", "x", "--body", "y", "--on", "2026-11-26",
        "--minute", "z",
    )  # fmt: skip
    assert edited.exit_code == 1 and "never edited, only superseded" in edited.stderr
    superseded = tracker(
        "--as", OWNER, "decision", "supersede", "D-5", "--outcome", "Funded at £30,000",
        "--body", "programme board", "--on", "2026-11-27", "--minute", "PB-2026-11 item 9",
    )  # fmt: skip
    assert superseded.stdout.strip() == "D-7 supersedes D-5"
    log = {
        d["code"]: d for d in json.loads(tracker("decision", "list", "--json").stdout)["decisions"]
    }
    assert log["D-5"]["replaced_by"] == "D-7" and log["D-7"]["replaces"] == "D-5"


def test_deps_json_and_a_cycle(tracker) -> None:
    payload = json.loads(tracker("deps", "--json").stdout)
    seen = {
        (d["consumer"], d["provider"], d["source"], d["health"]) for d in payload["dependencies"]
    }
    assert ("MB-01", "CC-01", "Jira", "red") in seen  # across councils and Jira sites
    assert ("ASC-01", "IG-14", "Jira", "unknown") in seen
    assert payload["cycles"] == []


def test_site_blocks(tracker) -> None:
    assert (
        tracker("site", "blocks", "northmoor").stdout.strip() == "northmoor: Blocks mean 'blocks'"
    )
    tracker("site", "blocks", "westbridge", "Relates")
    payload = json.loads(tracker("deps", "--json").stdout)
    assert not any(
        d["consumer"] == "ASC-01" and d["provider"] == "IG-14" for d in payload["dependencies"]
    )
