"""Sync tests: a test Jira server per site (real `jira` client, real HTTP) and a database row for
the site, on SQLite and PostgreSQL alike."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.jira_server.fixtures import (
    JiraServerFactory,
    jira_server,  # noqa: F401
)
from tests.jira_server.sample import build_site
from tests.jira_server.server import API_TOKEN, EMAIL, PAT
from tests.support.jira import EMAIL_ENV, TOKEN_ENV, LiveSite
from tracker.db import session_scope
from tracker.jira_sync.dataset import SiteData
from tracker.models import JiraSite, SiteKind


@pytest.fixture
def live_site(
    engine: Engine,
    jira_server: JiraServerFactory,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Callable[..., LiveSite]:
    """`live_site(kind, data=None, **server_options)`: a served site registered in the database,
    its credentials in the environment."""

    def make(kind: str = "cloud", data: SiteData | None = None, **server_options: Any) -> LiveSite:
        server = jira_server(data or build_site(kind), kind, **server_options)
        cloud = kind == "cloud"
        monkeypatch.setenv(TOKEN_ENV, API_TOKEN if cloud else PAT)
        monkeypatch.setenv(EMAIL_ENV, EMAIL)
        name = f"{kind}-site"
        with session_scope(engine) as session:
            session.add(
                JiraSite(
                    name=name,
                    url=server.url,
                    kind=SiteKind(kind),
                    token_env=TOKEN_ENV,
                    email_env=EMAIL_ENV if cloud else None,
                )
            )
        return LiveSite(name, engine, server, tmp_path / "no-secrets.toml")

    return make
