"""What a sync does when Jira refuses, rate-limits or breaks: retry what is transient, keep the
last good data, record the failure, and say so in one sentence that names the site and board and
never a secret."""

import logging
import os
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from tests.jira_server.sample import build_site
from tests.jira_server.server import JiraServer
from tests.support.jira import TOKEN_ENV, LiveSite, assert_no_secrets, issues_by_key, jira_rows
from tracker.cli.app import operator_actor
from tracker.jira_sync.errors import SyncError
from tracker.models import JiraSite, SyncRun
from tracker.services.jira import sites as jira_admin

DONE = {"id": "10001", "name": "Done", "statusCategory": {"key": "done"}}


def _runs(site: LiveSite) -> list[SyncRun]:
    with Session(site.engine) as session:
        return list(session.execute(select(SyncRun).order_by(SyncRun.id)).scalars())


def test_rate_limit_waits_as_long_as_jira_asks(live_site: Callable[..., LiveSite]) -> None:
    site = live_site("cloud")
    site.server.fail(r"/search/jql$", 429, times=1, retry_after=7)

    result = site.sync(boards=(1,))

    assert result.ok
    assert site.delays == [7.0]
    assert len(issues_by_key(site.engine)) == 6


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_with_backoff(
    live_site: Callable[..., LiveSite], status: int
) -> None:
    site = live_site("datacenter")
    site.server.fail(r"/configuration$", status, times=2)
    site.server.fail(r"/search$", status, times=1)

    result = site.sync(boards=(1,))

    assert result.ok
    assert site.delays == [1.0, 2.0, 1.0]  # doubling per request, reset by a success
    assert _runs(site)[-1].requests == len(site.server.requests)


def test_a_persistent_failure_keeps_the_last_good_data_and_records_why(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("cloud")
    site.sync(boards=(1, 2))
    before = jira_rows(site.engine)
    site.server.update_issue("HWK-3", {"status": DONE})
    site.server.fail(r"/search/jql$", 500, times=None)
    site.server.reset_log()

    result = site.sync(full=True)

    assert not result.ok
    assert jira_rows(site.engine) == before
    assert site.server.count(r"/search/jql$") == 2 * 5  # five attempts per board, then give up
    assert len(site.delays) == 2 * 4
    failed = [r for r in _runs(site) if r.outcome == "failed"]
    assert len(failed) == 2 and all(r.finished_at and r.requests for r in failed)
    assert "kept answering HTTP 500" in (failed[0].error or "")
    assert "board 'HWK board' (2)" in result.error_line()
    assert "cloud-site" in result.error_line()


def test_wrong_credentials_are_one_sentence_without_the_secret(
    live_site: Callable[..., LiveSite],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    site = live_site("datacenter")
    wrong = "not-the-datacenter-token-0123456789"
    monkeypatch.setenv(TOKEN_ENV, wrong)

    with pytest.raises(SyncError) as raised:
        site.sync(boards=(1,))

    message = str(raised.value)
    assert "\n" not in message
    assert "Jira site 'datacenter-site'" in message and "HTTP 401" in message
    assert TOKEN_ENV in message  # the variable's name, to fix it, and never its value
    assert wrong not in message and wrong not in caplog.text
    assert_no_secrets(site.engine, message, caplog.text)
    assert [r.outcome for r in _runs(site)] == ["failed"]
    assert _runs(site)[0].error == message


def test_a_forbidden_board_fails_alone(
    live_site: Callable[..., LiveSite], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    site = live_site("cloud", forbidden_boards=[2])
    with Session(site.engine) as session:  # the board list shows it; reading it is refused
        jira_admin.list_boards(
            session, operator_actor(), site_name=site.name, secrets_file=site.secrets_file
        )
        jira_admin.choose_synced_boards(
            session, operator_actor(), site_name=site.name, board_ids=[1, 2]
        )
        session.commit()

    result = site.sync()

    assert [b.name for b in result.boards if b.error is None] == ["REV board"]
    message = result.error_line()
    assert message.startswith("Jira site 'cloud-site' refused this account access (HTTP 403)")
    assert "board 'HWK board' (2)" in message and "\n" not in message
    assert_no_secrets(site.engine, message, caplog.text)


def test_a_board_deleted_in_jira_is_named(
    live_site: Callable[..., LiveSite], jira_server: Callable[..., JiraServer]
) -> None:
    site = live_site("cloud")
    site.sync(boards=(1, 2))
    data = build_site("cloud")
    del data["boards"][2]
    moved = jira_server(data, "cloud")
    with Session(site.engine) as session:
        row = session.execute(select(JiraSite)).scalar_one()
        row.url = moved.url
        session.add(row)
        session.commit()

    result = site.sync()

    message = result.error_line()
    assert "HTTP 404" in message and "board 'HWK board' (2)" in message
    assert [b.error is None for b in result.boards] == [False, True]


def test_missing_credentials_name_the_variables(
    live_site: Callable[..., LiveSite], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = live_site("cloud")
    monkeypatch.delenv(TOKEN_ENV)

    with pytest.raises(SyncError, match=f"needs {TOKEN_ENV} set in the environment"):
        site.sync(boards=(1,))
    assert site.server.requests == []


def test_secrets_toml_supplies_credentials_the_environment_lacks(
    live_site: Callable[..., LiveSite], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = live_site("datacenter")
    token = os.environ[TOKEN_ENV]
    monkeypatch.delenv(TOKEN_ENV)
    site.secrets_file.write_text(f'{TOKEN_ENV} = "{token}"\n', encoding="utf-8")

    assert site.sync(boards=(1,)).ok
