"""Who is acting, and the database, for a Streamlit session.

Engines are process-wide (cache_resource); sessions are short and never stored in session state.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.config import get_settings
from tracker.db import check_connection, get_engine, session_scope
from tracker.errors import TrackerError
from tracker.models import Role
from tracker.policy import Actor
from tracker.services.users import actor_for_user, list_actors
from tracker.ui.navigation import PAGES_BY_URL

DEMO_USER_KEY = "demo_user_id"
ACTOR_KEY = "actor"


@st.cache_resource
def engine() -> Engine:
    result = get_engine(get_settings().database_url)
    check_connection(result)
    return result


@contextmanager
def db() -> Iterator[Session]:
    with session_scope(engine()) as session:
        yield session


def _demo_picker() -> Actor | None:
    with db() as session:
        actors = list_actors(session)
    if not actors:
        st.error("The database holds no users yet. Run `tracker demo` or `make run`.")
        return None
    ids = [a.user_id for a in actors]
    labels = {a.user_id: a.label for a in actors}
    with st.sidebar:
        st.markdown("**Demo mode**: no sign-in. Choose whom to act as.")
        chosen = st.selectbox(
            "Act as (demo user)",
            ids,
            format_func=labels.__getitem__,
            key=DEMO_USER_KEY,
            help="Demo mode is on because TRACKER_DEMO=1. Never use it with real data.",
        )
    with db() as session:
        return actor_for_user(session, chosen)


def _resolve_actor() -> Actor | None:
    settings = get_settings()
    try:
        if settings.demo:
            return _demo_picker()
    except TrackerError as exc:
        st.error(str(exc))
        return None
    st.error(
        "tracker is not configured for sign-in. Set TRACKER_DEMO=1 for the demo, or add an "
        "[auth] section to .streamlit/secrets.toml."
    )
    return None


def signed_in_actor() -> Actor | None:
    """Run once per script run by the entry point: the acting user, or None after explaining why
    there is none. Pages read the result through page_actor."""
    actor = _resolve_actor()
    st.session_state[ACTOR_KEY] = actor
    return actor


def page_actor(url_path: str) -> Actor:
    """The actor for a page, after checking the role may open it; stops the page otherwise."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        st.error("Nobody is signed in.")
        st.stop()
    if Role(actor.role) not in PAGES_BY_URL[url_path].roles:
        st.error("You do not have access to this page. Ask your programme admin if you need it.")
        st.stop()
    return actor
