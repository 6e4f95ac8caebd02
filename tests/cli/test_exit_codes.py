"""One exit-code scheme for every command, in a separate process and in-process alike: 0 done,
1 refused or invalid (an `error:` line, then one indented line per problem), 2 a usage error."""

import json

import pytest
from typer.testing import CliRunner

from tracker.cli import app

pytestmark = pytest.mark.db

SUPPLIER = "karen.stokes@ledgerline.co.uk"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "overview", "--programme", "Nowhere"), "error: no programme 'Nowhere'"),
        (("--as", SUPPLIER, "users", "list"), "error: supplier contacts may not manage users"),
        (("--as", "nobody@example.org", "site", "list"), "error: no active user for"),
        (("engage", "--deliverable", "XX-99"), "error: no deliverable 'XX-99'"),
    ],
    ids=["not found", "not allowed", "unknown user", "hidden or missing"],
)
def test_any_expected_failure_is_one_line_and_exit_1(tracker, args, message) -> None:
    result = tracker(*args)
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("engage",),
        ("users", "events", "--limit", "0"),
        ("sync", "--board", "1"),
        ("report", "overview", "--no-such-option"),
    ],
    ids=["missing option", "out of range", "board without site", "unknown option"],
)
def test_usage_errors_exit_2(tracker, args) -> None:
    result = tracker(*args)
    assert result.returncode == 2
    assert result.stderr.strip() and "Traceback" not in result.stderr


def test_invalid_input_lists_every_problem_under_one_error_line(tracker, tmp_path) -> None:
    bad = tmp_path / "programme.json"
    bad.write_text(json.dumps({"programme": {}, "deliverables": [{"ref": "X-1"}]}))
    result = tracker("programme", "load", str(bad))
    assert result.returncode == 1
    first, *problems = result.stderr.strip().splitlines()
    assert first.startswith("error: ") and "nothing was loaded" in first
    assert len(problems) >= 2 and all(p.startswith("  ") for p in problems)


def test_in_process_the_same_failure_exits_the_same_way(
    demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    result = CliRunner().invoke(app, ["report", "overview", "--programme", "Nowhere"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no programme 'Nowhere'")
    assert result.exception is None or isinstance(result.exception, SystemExit)
