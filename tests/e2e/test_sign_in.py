"""Signing in for real: Chromium, the Streamlit server, and an OpenID Connect provider
(oidc-provider-mock) on 127.0.0.1, through st.login.

The server reads a secrets file written for the test (`--secrets.files`), never a developer's own
.streamlit/secrets.toml. A supplier contact signs in, is offered only their pages, is refused
another's by direct URL, and signs out; a stranger is refused; neither the client secret, the
cookie secret nor any identity token reaches the server's log or the database. Without sign-in
or demo mode the app shows one line.
"""

import re
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import werkzeug.serving
from oidc_provider_mock import User, app
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.support.browser import StreamlitServer, wait_for_app

pytestmark = pytest.mark.e2e

KAREN = "karen.stokes@ledgerline.co.uk"
STRANGER = "pat.new@elsewhere.example"
JWT = re.compile(r"eyJ[\w-]{10,}\.eyJ[\w-]{10,}")


@pytest.fixture
def identity_provider() -> Iterator[str]:
    """A real OpenID Connect provider on a free loopback port; Karen is a one-click user."""
    provider = app(user_claims=[User(sub=KAREN, claims={"email": KAREN, "name": "Karen Stokes"})])
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def auth_secrets(identity_provider: str, tmp_path: Path) -> dict[str, str]:
    """A secrets file naming the provider, with secrets made for this test only."""
    made = {
        "client_secret": secrets.token_urlsafe(24),
        "cookie_secret": secrets.token_urlsafe(48),
        "file": str(tmp_path / "secrets.toml"),
    }
    Path(made["file"]).write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{made["cookie_secret"]}"\n'
        'client_id = "tracker-e2e"\n'
        f'client_secret = "{made["client_secret"]}"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return made


@pytest.fixture
def signed_in_server(
    demo_sqlite_url: str, auth_secrets: dict[str, str]
) -> Iterator[StreamlitServer]:
    # TRACKER_DEMO=1 as `make run` sets it: with [auth] configured it must change nothing. The
    # debug log level is the most the server ever logs: secrets must not be in it.
    server = StreamlitServer(
        {"DATABASE_URL": demo_sqlite_url, "TRACKER_DEMO": "1", "TRACKER_ADMINS": ""},
        ("--secrets.files", auth_secrets["file"], "--logger.level", "debug"),
    )
    yield server
    server.stop()


def sign_in(page: Page, server: StreamlitServer, provider: str, who: str) -> None:
    page.goto(server.url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="tracker")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider}/oauth2/authorize*")
    predefined = page.get_by_role("button", name=who)
    if predefined.count():
        predefined.click()
    else:
        page.get_by_placeholder("sub").fill(who)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server.url}/**")
    wait_for_app(page)


def database_dump(url: str) -> str:
    with sqlite3.connect(make_url(url).database or "") as connection:
        return "\n".join(connection.iterdump())


def events(url: str) -> list[tuple[str, int | None, str | None]]:
    with sqlite3.connect(make_url(url).database or "") as connection:
        return connection.execute(
            "SELECT event, user_id, email_domain FROM sign_in_event ORDER BY id"
        ).fetchall()


def test_sign_in_through_the_identity_provider(
    signed_in_server: StreamlitServer,
    identity_provider: str,
    auth_secrets: dict[str, str],
    demo_sqlite_url: str,
    page: Page,
) -> None:
    sign_in(page, signed_in_server, identity_provider, KAREN)
    signed_in = page.get_by_text("Signed in as Karen Stokes (supplier contact, Ledgerline")
    expect(signed_in).to_be_visible()
    expect(page.get_by_role("heading", name="What needs me")).to_be_visible()
    expect(page.get_by_text("Demo mode")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("WB-01")).to_have_count(0)

    # the navigation offers a supplier contact their pages only
    page.get_by_test_id("stTopNavSection").filter(has_text="Delivery").click()
    links = page.get_by_test_id("stTopNavDropdownLink")
    expect(links.filter(has_text="Sprint review")).to_have_count(1)
    expect(links.filter(has_text="Burndown and progress")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stTopNavSection").filter(has_text="Admin")).to_have_count(0)

    # a direct URL opens a page of theirs (a new session, signed in by the cookie) ...
    page.goto(f"{signed_in_server.url}/sprint-review")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Sprint review")).to_be_visible()
    # ... and never one of another role's
    for url_path, title in (("burndown", "Burndown and progress"), ("users", "Users and sign-ins")):
        page.goto(f"{signed_in_server.url}/{url_path}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=title)).to_have_count(0)
        expect(page.get_by_role("heading", name="What needs me")).to_be_visible()
        expect(page.get_by_text("WB-01")).to_have_count(0)
    # one sign-in with the provider, however many tabs and reloads it served
    assert [e for e, _, _ in events(demo_sqlite_url)] == ["sign in"]

    page.goto(signed_in_server.url)  # away from the "page not found" notice
    wait_for_app(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{identity_provider}/oauth2/end_session*")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{signed_in_server.url}/**")
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(signed_in).to_have_count(0)

    sign_in(page, signed_in_server, identity_provider, STRANGER)
    expect(
        page.get_by_role("heading", name="You do not have access to tracker yet")
    ).to_be_visible()
    expect(page.get_by_text("Ask your programme admin")).to_be_visible()
    expect(page.get_by_test_id("stTopNavSection")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)

    logged = events(demo_sqlite_url)
    assert [(e, d) for e, _, d in logged] == [
        ("sign in", None),
        ("sign out", None),
        ("refused", "elsewhere.example"),
    ]
    assert logged[0][1] == logged[1][1] is not None

    # secrets and tokens reach neither the server's log nor the database; nor does a stranger
    dump = database_dump(demo_sqlite_url)
    log = signed_in_server.log.read_text(encoding="utf-8")
    for kept in (log, dump):
        assert auth_secrets["client_secret"] not in kept
        assert auth_secrets["cookie_secret"] not in kept
        assert not JWT.search(kept)
    assert "pat.new" not in dump


def test_without_sign_in_or_demo_mode_the_app_shows_one_line(
    demo_sqlite_url: str, tmp_path: Path, page: Page
) -> None:
    server = StreamlitServer(
        {"DATABASE_URL": demo_sqlite_url, "TRACKER_DEMO": ""},
        ("--secrets.files", str(tmp_path / "absent.toml")),
    )
    try:
        page.goto(server.url)
        wait_for_app(page)
        expect(page.get_by_test_id("stAlertContentError")).to_have_text(
            re.compile(r"^tracker will not start without sign-in: .*TRACKER_DEMO=1 for the demo\.$")
        )
        expect(page.get_by_test_id("stMain").get_by_test_id("stElementContainer")).to_have_count(1)
        expect(page.get_by_test_id("stTopNavSection")).to_have_count(0)
        page.goto(f"{server.url}/contacts")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Contacts")).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    finally:
        server.stop()
