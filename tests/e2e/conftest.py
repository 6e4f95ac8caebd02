"""Browser tests: one Streamlit server per test module, on the module's own copy of the demo
database, and Chromium (the single browser of tests/conftest.py).

One server per module, as Streamlit's own e2e_playwright/conftest.py does: starting a server and
its first script run cost seconds, and each test opens a fresh browser context (a new Streamlit
session) anyway. Tests that change data share the module's database: they assert on what they
changed, not on totals another test of the module could move.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import StreamlitServer, screenshot_dir


@pytest.fixture(scope="module")
def app_database_url(module_demo_sqlite_url: str) -> str:
    """The database the module's Streamlit server runs on."""
    return module_demo_sqlite_url


@pytest.fixture(scope="module")
def app_server(
    app_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    # an absent secrets file: a developer's own .streamlit/secrets.toml with [auth] would turn
    # the demo into sign-in (tests/e2e/test_sign_in.py signs in)
    server = StreamlitServer(
        {"DATABASE_URL": app_database_url, "TRACKER_DEMO": "1"},
        ("--secrets.files", str(tmp_path_factory.mktemp("secrets") / "no-secrets.toml")),
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: docs/screenshots under `make screenshots`, else a temp folder."""
    folder = screenshot_dir(tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
