"""The admin use cases behind the CLI and the admin page: who may use them, what they show."""

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.support.jira import SECRETS, TOKEN_ENV, LiveSite
from tracker.cli.app import operator_actor
from tracker.errors import Invalid, NotAllowed, TrackerError
from tracker.models import Role
from tracker.services.jira import sites as jira_admin

BOARD_MEMBER = replace(operator_actor(), role=Role.board_member)


def test_only_admins_manage_sites(engine: Engine) -> None:
    with Session(engine) as session:
        for call in (
            lambda: jira_admin.list_sites(session, BOARD_MEMBER),
            lambda: jira_admin.add_site(
                session,
                BOARD_MEMBER,
                name="x",
                url="https://x",
                kind="cloud",
                token_env="T",
                email_env="E",
            ),
            lambda: jira_admin.check_site_connection(session, BOARD_MEMBER, site_name="x"),
            lambda: jira_admin.list_boards(session, BOARD_MEMBER, site_name="x"),
            lambda: jira_admin.choose_synced_boards(
                session, BOARD_MEMBER, site_name="x", board_ids=[1]
            ),
            lambda: jira_admin.recent_sync_runs(session, BOARD_MEMBER),
            lambda: jira_admin.sync_site(engine, BOARD_MEMBER, site_name="x"),
        ):
            with pytest.raises(NotAllowed):
                call()


ADD_SITE = ("name", "url", "kind", "token_env", "email_env")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x", "https://x.atlassian.net", "cloud", "TOKEN", None), "needs --email-env"),
        (("x", "x.atlassian.net", "cloud", "TOKEN", "EMAIL"), "not a Jira address"),
        (("x", "https://x.atlassian.net", "server", "TOKEN", None), "'cloud' or 'datacenter'"),
        (("x", "https://x", "datacenter", "abc-secret.value", None), "NAME of an environment"),
        (("x", "https://x", "cloud", "TOKEN", "me@council.example"), "NAME of an environment"),
    ],
)
def test_adding_a_site_checks_what_it_is_given(
    engine: Engine, args: tuple[str, str, str, str, str | None], message: str
) -> None:
    with Session(engine) as session, pytest.raises(TrackerError, match=message):
        jira_admin.add_site(session, operator_actor(), **dict(zip(ADD_SITE, args, strict=True)))


def test_adding_a_site_names_every_problem_at_once(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(Invalid) as refused:
        jira_admin.add_site(
            session,
            operator_actor(),
            name="x",
            url="x.atlassian.net",
            kind="server",
            token_env="a secret",
        )
    assert refused.value.headline == "The Jira site was not added: 3 problems to fix"
    assert ["'cloud' or 'datacenter'" in refused.value.problems[0]] == [True]
    assert "not a Jira address" in refused.value.problems[1]
    assert "NAME of an environment variable" in refused.value.problems[2]


def test_sites_and_runs_are_listed_without_secrets(
    live_site: Callable[..., LiveSite], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = live_site("cloud")
    site.sync(boards=(1,))
    site.server.fail(r"/search/jql$", 500, times=None)
    site.sync()

    with Session(site.engine) as session:
        sites = jira_admin.list_sites(session, operator_actor(), secrets_file=site.secrets_file)
        runs = jira_admin.recent_sync_runs(session, operator_actor(), site_name=site.name)
        monkeypatch.delenv(TOKEN_ENV)
        missing = jira_admin.list_sites(session, operator_actor(), secrets_file=site.secrets_file)

    assert sites[0].credentials == "TEST_JIRA_EMAIL, TEST_JIRA_TOKEN"
    assert sites[0].credentials_missing == "" and sites[0].synced_boards == 1
    assert sites[0].last_sync is not None
    assert missing[0].credentials_missing == TOKEN_ENV
    assert list(runs["outcome"]) == ["failed", "succeeded"]
    assert runs.loc[1, "issues"] == 6 and "HTTP 500" in runs.loc[0, "error"]
    for secret in SECRETS:
        assert secret not in repr(sites) + runs.to_csv()


def test_choosing_synced_boards(live_site: Callable[..., LiveSite]) -> None:
    site = live_site("datacenter")
    with Session(site.engine) as session:
        boards = jira_admin.list_boards(
            session, operator_actor(), site_name=site.name, secrets_file=site.secrets_file
        )
        jira_admin.choose_synced_boards(
            session, operator_actor(), site_name=site.name, board_ids=[2]
        )
        chosen = jira_admin.list_boards(
            session, operator_actor(), site_name=site.name, refresh=False
        )
        with pytest.raises(TrackerError, match="has no board 7"):
            jira_admin.choose_synced_boards(
                session, operator_actor(), site_name=site.name, board_ids=[7]
            )

    assert list(boards["board_id"]) == [1, 2] and not boards["synced"].any()
    assert list(chosen["synced"]) == [False, True]
