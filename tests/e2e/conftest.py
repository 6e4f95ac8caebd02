"""Browser tests: a Streamlit server on a private copy of the demo database, and Chromium."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import StreamlitServer


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
