"""`tracker report highlight|rag` and `tracker board thresholds|note|published` on the demo."""

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from tracker.cli import app

pytestmark = pytest.mark.db

PROGRAMME = "Marshland Shared Services Partnership"
ADMIN = "priya.raman@northmoor.gov.uk"
OWNER = "tom.hargreaves@northmoor.gov.uk"
BOARD = "joan.whitfield@westbridge.gov.uk"
SUPPLIER = "karen.stokes@ledgerline.co.uk"
REFS = ["ASC-01", "CC-01", "CTAX-02", "MB-01", "RB-01", "WA-01", "WB-01"]
DIMENSIONS = ["Time", "Scope", "Delivery", "Acceptance", "Assurance", "Risks and dependencies"]
PERIOD = ("--from", "2026-11-10", "--to", "2026-11-23")


@pytest.fixture
def tracker(demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def _error(result: Result) -> list[str]:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: "), result.stderr
    return lines


def test_rag_json_gives_every_rating_with_its_rule(tracker) -> None:
    result = tracker("report", "rag", "--programme", PROGRAMME, "--json", *PERIOD)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["period"] == {"start": "2026-11-10", "end": "2026-11-23"}
    assert [d["ref"] for d in payload["deliverables"]] == REFS
    wb01 = next(d for d in payload["deliverables"] if d["ref"] == "WB-01")
    assert [d["dimension"] for d in wb01["dimensions"]] == DIMENSIONS
    time = wb01["dimensions"][0]
    assert time["rating"] == "red"  # target 30 Oct 2026 passed with work left
    assert {c["rule"] for c in time["checks"] if c["fired"]} >= {
        "the 50% likely date is after the target date"
    }
    assert wb01["forecast"]["target"] == "2026-10-30" and wb01["forecast"]["slip_weeks"] > 0
    assert payload["thresholds"]["scope_red_pct"] == 20
    assert [r["dimension"] for r in payload["programme_ratings"]] == [*DIMENSIONS, "Overall"]


def test_rag_as_text_says_why(tracker) -> None:
    result = tracker("report", "rag", "--programme", PROGRAMME, *PERIOD)
    assert result.exit_code == 0, result.output
    assert "10 Nov 2026 to 23 Nov 2026: derived ratings (advisory)" in result.stdout
    assert "WB-01 Waste collection booking service: derived red" in result.stdout


def test_bad_input_is_one_line_and_writes_nothing(tracker, tmp_path) -> None:
    out = tmp_path / "pack.html"
    backwards = tracker(
        "report", "highlight", "--programme", PROGRAMME, "--from", "2026-11-14",
        "--to", "2026-11-01", "--out", str(out),
    )  # fmt: skip
    assert _error(backwards) == [
        "error: the period ends on 01 Nov 2026, before it starts on 14 Nov 2026: nothing was done"
    ]
    assert _error(tracker("report", "rag", "--programme", "Nowhere")) == [
        "error: no programme 'Nowhere' that you can see "
        "(programmes: Marshland Shared Services Partnership)"
    ]
    unknown = tracker("board", "note", "XX-99", "--summary", "hello")
    assert _error(unknown) == ["error: no deliverable 'XX-99' that you can see"]
    assert not out.exists()
    fmt = tracker("report", "highlight", "--programme", PROGRAMME, "--format", "pdf")
    assert fmt.exit_code == 2


def test_publishing_needs_every_declared_rating_and_then_freezes(tracker, tmp_path) -> None:
    out = tmp_path / "pack.json"
    refused = tracker(
        "report", "highlight", "--programme", PROGRAMME, *PERIOD, "--publish",
        "--format", "json", "--out", str(out),
    )  # fmt: skip
    lines = _error(refused)
    assert lines[0].startswith("error: not published: 7 deliverables without a declared rating")
    assert not out.exists()
    assert "nothing published yet" in tracker("board", "published", "--programme", PROGRAMME).stdout

    declared = [x for d in DIMENSIONS for x in ("--declare", f"{d}=amber")]
    for ref in REFS:
        done = tracker("board", "note", ref, *PERIOD, "--summary", "=cmd|' /C calc'!A0", *declared)
        assert done.exit_code == 0, done.output
    denied = tracker("--as", OWNER, "report", "highlight", "--programme", PROGRAMME, "--publish")
    assert "may not" in _error(denied)[0]

    published = tracker(
        "report", "highlight", "--programme", PROGRAMME, *PERIOD, "--publish",
        "--format", "json", "--out", str(out),
    )  # fmt: skip
    assert published.exit_code == 0, published.output
    assert "Published report 1, publication 1 for this period" in published.stderr
    content = json.loads(out.read_text())
    assert [d["ref"] for d in content["deliverables"]] == REFS
    listed = json.loads(tracker("board", "published", "--programme", PROGRAMME, "--json").stdout)
    assert [(r["id"], r["publication"], r["superseded_by"]) for r in listed] == [(1, 1, None)]

    csv = tracker(
        "report", "highlight", "--programme", PROGRAMME, "--report", "1", "--format", "csv"
    )
    assert csv.exit_code == 0, csv.output
    assert ",'=cmd|' /C calc'!A0," in csv.stdout  # owners' text is inert in a spreadsheet
    html = tracker("report", "highlight", "--programme", PROGRAMME, "--report", "1")
    # notes rewritten after publishing change nothing in the published pack
    tracker("board", "note", "RB-01", *PERIOD, "--summary", "Rewritten", *declared)
    again = tracker("report", "highlight", "--programme", PROGRAMME, "--report", "1")
    assert again.stdout == html.stdout and "Rewritten" not in again.stdout

    supplier = tracker(
        "--as", SUPPLIER, "report", "highlight", "--programme", PROGRAMME, "--report", "1",
        "--format", "json",
    )  # fmt: skip
    assert [d["ref"] for d in json.loads(supplier.stdout)["deliverables"]] == ["CTAX-02", "RB-01"]
    verify = tracker("audit", "verify")
    assert verify.exit_code == 0, verify.output


def test_thresholds_are_shown_and_set_by_admins(tracker) -> None:
    shown = tracker("board", "thresholds", "--programme", PROGRAMME)
    assert "scope_red_pct = 20: Scope: growth since the baseline (%)" in shown.stdout
    bad = tracker("board", "thresholds", "--programme", PROGRAMME, "--set", "scope_red_pct=x")
    assert _error(bad) == [
        "error: thresholds not saved: 1 problem",
        "  scope_red_pct: must be a number, not 'x'",
    ]
    denied = tracker(
        "--as", BOARD, "board", "thresholds", "--programme", PROGRAMME, "--set", "scope_red_pct=30"
    )
    assert "may not" in _error(denied)[0]
    done = tracker("board", "thresholds", "--programme", PROGRAMME, "--set", "scope_red_pct=30")
    assert done.exit_code == 0, done.output
    read = tracker("--as", BOARD, "board", "thresholds", "--programme", PROGRAMME, "--json")
    assert json.loads(read.stdout)["scope_red_pct"] == 30
