"""Who is acting, and the database, for a Streamlit session.

How people get in is tracker.config.sign_in_mode's decision: the council's identity provider
through `st.login` when .streamlit/secrets.toml has an [auth] section; the labelled demo picker
with TRACKER_DEMO=1; otherwise one line saying why tracker will not start. Every script run
resolves the actor afresh from the database, so an account switched off or a contact marked as
left stops at their next click, and leaves it in session state for the pages' guards.

Engines are process-wide (cache_resource); sessions are short and never stored in session state.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.config import (
    SignInMode,
    SignInNotConfigured,
    auth_providers,
    get_settings,
    sign_in_mode,
)
from tracker.db import check_connection, get_engine, session_scope
from tracker.errors import TrackerError
from tracker.migrate import ensure_current
from tracker.policy import Actor, can
from tracker.services.auth.sign_in import Identity, Refusal, record_sign_out, sign_in
from tracker.services.auth.users import actor_for_user, list_actors
from tracker.ui.markdown import plain
from tracker.ui.navigation import PAGES_BY_URL

DEMO_USER_KEY = "demo_user_id"
DEMO_CHOICE_KEY = "demo_user_chosen"
ACTOR_KEY = "actor"
#: the email whose sign-in this browser session recorded, for identity tokens without `iat`
RECORDED_KEY = "sign_in_recorded_for"


@st.cache_resource
def engine() -> Engine:
    result = get_engine(get_settings().database_url)
    check_connection(result)
    ensure_current(result)
    return result


@contextmanager
def db() -> Iterator[Session]:
    with session_scope(engine()) as session:
        yield session


def _auth_section() -> Mapping[str, Any] | None:
    """The [auth] section of the app's secrets; None when there are no secrets at all. Secrets
    that exist but cannot be read stop the app rather than have it guess how to let people in."""
    try:
        return st.secrets.get("auth")
    except FileNotFoundError:
        if any(Path(path).exists() for path in st.get_option("secrets.files")):
            raise SignInNotConfigured(
                "tracker will not start: its Streamlit secrets file cannot be read (is it valid "
                "TOML?)."
            ) from None
        return None


def _remember_demo_choice() -> None:
    st.session_state[DEMO_CHOICE_KEY] = st.session_state[DEMO_USER_KEY]


def _demo_picker() -> Actor | None:
    """Demo mode: act as any demo user. Nobody has signed in, so nothing is recorded."""
    with db() as session:
        actors = list_actors(session)
    if not actors:
        st.error("The database holds no users yet. Run `tracker demo` or `make run`.")
        return None
    ids = [a.user_id for a in actors]
    labels = {a.user_id: a.label for a in actors}
    # Streamlit 1.67 drops the first change of a widget drawn by the entry script once
    # st.navigation has run; the on_change callback still sees it, so the choice is kept under a
    # second key and handed back to the widget before it is drawn.
    remembered = st.session_state.get(DEMO_CHOICE_KEY)
    if remembered in labels:
        st.session_state[DEMO_USER_KEY] = remembered
    with st.sidebar:
        st.markdown("**Demo mode**: no sign-in. Choose whom to act as.")
        chosen = st.selectbox(
            "Act as (demo user)",
            ids,
            format_func=labels.__getitem__,
            key=DEMO_USER_KEY,
            on_change=_remember_demo_choice,
            help="Demo mode is on because TRACKER_DEMO=1. Never use it with real data.",
        )
    with db() as session:
        return actor_for_user(session, chosen)


def _sign_in_page(providers: list[str | None]) -> None:
    st.title("tracker")
    st.write("Sign in with your organisation's account to see the shared services programme.")
    for provider in providers:
        label = "Sign in" if len(providers) == 1 else f"Sign in with {(provider or '').title()}"
        if st.button(label, key=f"sign_in_{provider or 'default'}", type="primary"):
            st.login(provider)


def _sign_out_button(actor: Actor | None) -> bool:
    """A Sign out button; True once pressed (the browser is then sent to sign out)."""
    if not st.button("Sign out", key="sign_out"):
        return False
    if actor is not None:
        with db() as session:
            record_sign_out(session, actor)
    st.logout()
    return True


def _identity_actor(auth: Mapping[str, Any]) -> Actor | None:
    """The signed-in user, after st.login; otherwise the sign-in page, or the page telling a
    stranger to ask their programme admin (no navigation, so no data)."""
    if not st.user.get("is_logged_in"):
        _sign_in_page(auth_providers(auth))
        return None
    identity = Identity.from_claims(st.user.to_dict())
    # With `iat` the database keeps one record per identity token; without, one per session.
    record = identity.issued_at is not None or st.session_state.get(RECORDED_KEY) != identity.email
    with db() as session:
        outcome = sign_in(session, identity, get_settings().admins, record=record)
    st.session_state[RECORDED_KEY] = identity.email
    if isinstance(outcome, Refusal):
        st.title("You do not have access to tracker yet")
        st.markdown(plain(outcome.message))
        _sign_out_button(None)
        return None
    with st.sidebar:
        st.markdown(f"Signed in as **{plain(outcome.label)}**")
        if _sign_out_button(outcome):
            return None
    return outcome


def in_demo_mode() -> bool:
    """Whether people act through the demo picker: nobody signs in, so nothing is recorded."""
    try:
        return sign_in_mode(get_settings(), _auth_section()) is SignInMode.demo
    except TrackerError:
        return False


def signed_in_actor() -> Actor | None:
    """Run once per script run by the entry point: the acting user, or None after explaining why
    there is none. Pages read the result through page_actor."""
    st.session_state[ACTOR_KEY] = None
    try:
        auth = _auth_section()
        if sign_in_mode(get_settings(), auth) is SignInMode.demo:
            actor = _demo_picker()
        else:
            assert auth is not None  # sign_in_mode checked it
            actor = _identity_actor(auth)
    except TrackerError as exc:
        st.error(str(exc))  # tracker's own set-up messages, with their `commands` as code
        return None
    st.session_state[ACTOR_KEY] = actor
    return actor


def page_actor(url_path: str) -> Actor:
    """The actor for a page, after checking the role may open it; stops the page otherwise."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        st.error("Nobody is signed in.")
        st.stop()
    if not can(actor, PAGES_BY_URL[url_path].action):
        st.error("You do not have access to this page. Ask your programme admin if you need it.")
        st.stop()
    return actor
