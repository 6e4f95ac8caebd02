"""Browser tests: a Streamlit server on a private copy of the demo database, and Chromium."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, StreamlitServer


@pytest.fixture
def app_server(demo_sqlite_url: str, tmp_path: Path) -> Iterator[StreamlitServer]:
    # an absent secrets file: a developer's own .streamlit/secrets.toml with [auth] would turn
    # the demo into sign-in (tests/e2e/test_sign_in.py signs in)
    server = StreamlitServer(
        {"DATABASE_URL": demo_sqlite_url, "TRACKER_DEMO": "1"},
        ("--secrets.files", str(tmp_path / "no-secrets.toml")),
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    yield opened
    context.close()
