"""`tracker site ...`, `tracker sync` and `tracker import-jira` as an operator uses them."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from tests.jira_server.sample import build_site
from tests.jira_server.server import API_TOKEN, EMAIL, PAT, JiraServer
from tests.support.jira import EMAIL_ENV, TOKEN_ENV
from tracker.cli import app
from tracker.jira_sync.dataset import write_dataset


@pytest.fixture
def tracker(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Result]:
    """Run a tracker command against the test database, with the Cloud credentials set."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv(EMAIL_ENV, EMAIL)
    monkeypatch.setenv(TOKEN_ENV, API_TOKEN)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml but the test's own

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def _add(tracker: Callable[..., Result], server: JiraServer, kind: str = "cloud") -> Result:
    return tracker(
        "site", "add", "northmoor", "--url", server.url, "--kind", kind,
        "--token-env", TOKEN_ENV, "--email-env", EMAIL_ENV,
    )  # fmt: skip


def _one_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_add_list_test_and_boards(
    tracker: Callable[..., Result], jira_server: Callable[..., JiraServer]
) -> None:
    server = jira_server(build_site("cloud"))

    assert _add(tracker, server).exit_code == 0
    listed = tracker("site", "list")
    tested = tracker("site", "test", "northmoor")
    boards = tracker("site", "boards", "northmoor")

    assert f"credentials in {EMAIL_ENV}, {TOKEN_ENV}" in listed.stdout
    assert API_TOKEN not in listed.stdout
    assert tested.exit_code == 0
    assert "the credentials belong to Alex Morgan (amorgan@council.example)" in tested.stdout
    assert "REV board" in boards.stdout and "HWK board" in boards.stdout


def test_sync_prints_a_summary_and_exits_zero(
    tracker: Callable[..., Result], jira_server: Callable[..., JiraServer]
) -> None:
    server = jira_server(build_site("cloud"))
    _add(tracker, server)

    first = tracker("sync", "--site", "northmoor", "--board", "1", "--board", "2")
    again = tracker("sync")

    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("northmoor: 2 of 2 boards synced, 11 issues read")
    assert again.exit_code == 0 and "0 issues read" in again.stdout


def test_sync_names_what_data_center_truncated_on_stderr_and_exits_zero(
    tracker: Callable[..., Result],
    jira_server: Callable[..., JiraServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = jira_server(build_site("datacenter"), embedded_changelog_limit=100)
    monkeypatch.setenv(TOKEN_ENV, PAT)
    _add(tracker, server, kind="datacenter")

    result = tracker("sync", "--site", "northmoor", "--board", "1")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("northmoor: 1 of 1 boards synced")
    assert result.stderr.strip() == (  # the progress bar leaves a blank line behind
        "warning: board 'REV board' (1): REV-1: Jira sent 100 of its 150 changelog histories "
        "(Data Center has no endpoint for the rest); sprint reports counting it say so"
    )


def test_sync_failure_is_one_line_and_non_zero(
    tracker: Callable[..., Result], jira_server: Callable[..., JiraServer]
) -> None:
    server = jira_server(build_site("cloud"))
    _add(tracker, server)
    server.fail(r"/board/1$", 403, times=None)

    result = tracker("sync", "--site", "northmoor", "--board", "1")

    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "Jira site 'northmoor'" in line and "HTTP 403" in line and "board 1" in line


def test_site_test_notices_the_wrong_kind(
    tracker: Callable[..., Result], jira_server: Callable[..., JiraServer]
) -> None:
    server = jira_server(build_site("cloud"))
    _add(tracker, server, kind="datacenter")

    result = tracker("site", "test", "northmoor")

    assert result.exit_code == 1
    assert "registered as datacenter but" in _one_error_line(result)


def test_site_add_refuses_a_secret_in_place_of_a_variable_name(
    tracker: Callable[..., Result],
) -> None:
    result = tracker(
        "site", "add", "x", "--url", "https://x.atlassian.net", "--kind", "cloud",
        "--token-env", "ATATT3xFfGF0aBcDeF", "--email-env", EMAIL_ENV,
    )  # fmt: skip

    assert result.exit_code == 1
    assert "NAME of an environment variable" in _one_error_line(result)
    assert "ATATT3xFfGF0aBcDeF" not in tracker("site", "list").stdout


def test_import_jira_loads_a_directory_or_names_the_bad_file(
    tracker: Callable[..., Result], tmp_path: Path
) -> None:
    write_dataset(build_site("datacenter"), tmp_path / "westbridge")
    good = tracker("import-jira", str(tmp_path / "westbridge"))
    (tmp_path / "westbridge" / "boards" / "1" / "sprints.json").write_text("{", encoding="utf-8")
    bad = tracker("import-jira", str(tmp_path / "westbridge"))

    assert good.exit_code == 0
    assert good.stdout.startswith("imported Jira site 'Sample councils (datacenter)' (datacenter)")
    assert bad.exit_code == 1
    assert "sprints.json: not valid JSON" in _one_error_line(bad)
