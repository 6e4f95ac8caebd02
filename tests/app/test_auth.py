"""Signing in, as the app shows it: the one line when there is no sign-in, the sign-in page, a
stranger's page, signing out, the first admin, and an account switched off mid-session."""

import copy
from collections.abc import Callable

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from tests.support.app import APP, AUTH_SECRETS, NO_AUTH_SECRETS
from tests.support.roles import ADMIN, OWNER, SUPPLIER
from tracker.db import create_tracker_engine, session_scope
from tracker.models import SignInEvent, User
from tracker.services.auth.users import actor_for_email
from tracker.ui.markdown import ZERO_WIDTH_SPACE
from tracker.ui.navigation import PAGES

OVERVIEW = "pages/programme/overview.py"
USERS = "pages/admin/users.py"
NOT_STARTED = (
    "tracker will not start without sign-in: add an [auth] section to .streamlit/secrets.toml "
    "(see .streamlit/secrets.toml.example), or set TRACKER_DEMO=1 for the demo."
)


def events(url: str) -> list[tuple[str, int | None, str | None]]:
    engine = create_tracker_engine(url)
    with session_scope(engine) as session:
        rows = session.exec(
            select(SignInEvent.event, SignInEvent.user_id, SignInEvent.email_domain).order_by(
                SignInEvent.id
            )
        ).all()
    engine.dispose()
    return [(str(e), u, d) for e, u, d in rows]


def offers_no_page(at: AppTest) -> bool:
    for page in PAGES:
        try:
            at.switch_page(page.path)
        except ValueError:
            continue
        return False
    return True


def bare_app(secrets: dict, monkeypatch: pytest.MonkeyPatch, demo_sqlite_url: str, **env: str):
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    for name in ("TRACKER_DEMO", "TRACKER_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets = copy.deepcopy(secrets)
    return at.run()


def test_without_sign_in_or_demo_mode_the_app_shows_one_line(
    monkeypatch: pytest.MonkeyPatch, demo_sqlite_url: str
) -> None:
    at = bare_app(NO_AUTH_SECRETS, monkeypatch, demo_sqlite_url, TRACKER_DEMO="0")
    assert [e.value for e in at.error] == [NOT_STARTED]
    assert len(at.main.children) == 1 and not at.sidebar.children
    assert offers_no_page(at)


def test_an_incomplete_auth_section_stops_the_app_even_in_demo_mode(
    monkeypatch: pytest.MonkeyPatch, demo_sqlite_url: str
) -> None:
    broken = copy.deepcopy(AUTH_SECRETS)
    del broken["auth"]["client_secret"]
    at = bare_app(broken, monkeypatch, demo_sqlite_url, TRACKER_DEMO="1")
    [error] = [e.value for e in at.error]
    assert error.startswith("Sign-in is not set up:") and "[auth] client_secret" in error
    assert AUTH_SECRETS["auth"]["cookie_secret"] not in error
    assert not at.sidebar.children and offers_no_page(at)


def test_nobody_signed_in_sees_the_sign_in_page_only(
    signed_in_app: Callable[..., AppTest], demo_sqlite_url: str
) -> None:
    at = signed_in_app(None)
    assert at.title[0].value == "tracker"
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.sidebar.children and offers_no_page(at)
    assert events(demo_sqlite_url) == []


def test_each_named_provider_gets_a_button(
    monkeypatch: pytest.MonkeyPatch, demo_sqlite_url: str
) -> None:
    shared = {k: AUTH_SECRETS["auth"][k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH_SECRETS["auth"][k] for k in AUTH_SECRETS["auth"] if k not in shared}
    secrets = {"auth": {**shared, "microsoft": provider, "okta": provider}}
    at = bare_app(secrets, monkeypatch, demo_sqlite_url)
    assert [b.label for b in at.button] == ["Sign in with Microsoft", "Sign in with Okta"]


def test_a_user_signs_in_once_and_sees_no_demo_picker(
    signed_in_app: Callable[..., AppTest], demo_sqlite_url: str
) -> None:
    at = signed_in_app(SUPPLIER, OVERVIEW)
    assert at.title[0].value == "Programme overview"
    assert [m.value for m in at.sidebar.markdown] == [
        "Signed in as **Karen Stokes (supplier contact, Ledgerline Systems Ltd)**"
    ]
    assert not any("Demo mode" in m.value for m in at.sidebar.markdown)
    assert not at.sidebar.selectbox  # TRACKER_DEMO=1 is ignored once sign-in is configured
    at.run()
    signed_in_app(SUPPLIER)  # another tab with the same identity token
    user = events(demo_sqlite_url)
    assert len(user) == 1 and user[0][0] == "sign in" and user[0][2] is None


def test_a_stranger_is_told_to_ask_their_programme_admin(
    signed_in_app: Callable[..., AppTest], demo_sqlite_url: str
) -> None:
    at = signed_in_app("pat.new@riverford.gov.uk")
    assert at.title[0].value == "You do not have access to tracker yet"
    [message] = [m.value for m in at.markdown]
    # the address is shown as typed, never as a mailto link (tracker.ui.markdown)
    assert "pat.new@riverford.gov.uk" in message.replace(ZERO_WIDTH_SPACE, "")
    assert "programme admin" in message
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and offers_no_page(at)
    assert events(demo_sqlite_url) == [("refused", None, "riverford.gov.uk")]


def test_signing_out_is_recorded(
    signed_in_app: Callable[..., AppTest], demo_sqlite_url: str
) -> None:
    at = signed_in_app(OWNER)
    at.sidebar.button(key="sign_out").click().run()
    assert at.user == {"is_logged_in": False}
    assert [e for e, _, _ in events(demo_sqlite_url)] == ["sign in", "sign out"]
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]


def test_the_first_admin_comes_from_tracker_admins(
    signed_in_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert signed_in_app("chief@northmoor.gov.uk").title[0].value.startswith("You do not")
    monkeypatch.setenv("TRACKER_ADMINS", "Chief@Northmoor.gov.uk")
    at = signed_in_app("chief@northmoor.gov.uk", "pages/admin/users.py")
    assert at.title[0].value == "Users and sign-ins"


def test_an_account_switched_off_stops_at_the_next_click(
    signed_in_app: Callable[..., AppTest], demo_sqlite_url: str
) -> None:
    at = signed_in_app(SUPPLIER, OVERVIEW)
    assert at.dataframe
    engine = create_tracker_engine(demo_sqlite_url)
    with session_scope(engine) as session:
        account = session.get(User, actor_for_email(session, SUPPLIER).user_id)
        account.active = False
        session.add(account)
    engine.dispose()
    at.run()
    assert at.title[0].value == "You do not have access to tracker yet"
    assert not at.dataframe


def test_demo_mode_records_no_sign_in(demo_app, demo_sqlite_url: str) -> None:
    """Nobody signs in to the demo: the picker is a choice, not an identity."""
    at = demo_app(SUPPLIER, OVERVIEW)
    assert any("Demo mode" in m.value for m in at.sidebar.markdown)
    assert events(demo_sqlite_url) == []


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_admin_lets_someone_in_and_switches_someone_off(
    signed_in_app: Callable[..., AppTest],
) -> None:
    gareth = "gareth.lewis@eastvale.gov.uk"  # a contact without an account in the demo
    assert signed_in_app(gareth).title[0].value == "You do not have access to tracker yet"
    at = signed_in_app(ADMIN, USERS)
    contact = at.selectbox(key="new_user_person")
    contact.select(next(o for o in contact.options if o.startswith("Gareth Lewis")))
    at.selectbox(key="new_user_role").select("project owner")
    button(at, "Give them an account").click().run()
    assert [s.value for s in at.success] == [
        "Gareth Lewis (Eastvale Borough Council) can now sign in as a project owner."
    ]
    # a new project owner lands on their own work
    assert signed_in_app(gareth).title[0].value == "What needs me"

    users = next(f.value for f in at.dataframe if "email" in f.value.columns)
    karen = int(users.index[users["email"] == SUPPLIER][0])
    at.session_state["users_editor_0"] = {
        "edited_rows": {karen: {"active": False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    button(at, "Save users").click().run()
    assert [s.value for s in at.success][-1] == "Saved: 1 row written."
    assert signed_in_app(SUPPLIER).title[0].value == "You do not have access to tracker yet"
