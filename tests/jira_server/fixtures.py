"""The `jira_server` pytest fixture.

Register it with `pytest_plugins = ["tests.jira_server.fixtures"]` in the root conftest. It is a
factory rather than a server so one test can run several sites (a Cloud and a Data Center council
in one programme) and choose each one's data and limits; every server it made is closed at teardown.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.jira_server.server import JiraServer
from tracker.jira_sync.dataset import SiteData

JiraServerFactory = Callable[..., JiraServer]


@pytest.fixture
def jira_server() -> Iterator[JiraServerFactory]:
    """`jira_server(data, kind=None, **opts) -> JiraServer`; opts are JiraServer's keywords."""
    started: list[JiraServer] = []

    def start(data: SiteData, kind: str | None = None, **opts: Any) -> JiraServer:
        server = JiraServer(data, kind, **opts)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()
