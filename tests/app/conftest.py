"""AppTest over the demo database, acting as any demo user, or signed in through the identity
provider (`at.user` stands in for a completed st.login)."""

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support.app import APP, AUTH_SECRETS, NO_AUTH_SECRETS, identity
from tests.support.roles import ROLES
from tracker.db import create_tracker_engine, session_scope
from tracker.services.auth.users import actor_for_email


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_app(demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Make an AppTest acting as the demo user with this email, optionally on a page."""
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    monkeypatch.setenv("TRACKER_DEMO", "1")
    monkeypatch.delenv("TRACKER_ADMINS", raising=False)
    engine = create_tracker_engine(demo_sqlite_url)
    with session_scope(engine) as session:
        user_ids = {email: actor_for_email(session, email).user_id for email in ROLES.values()}
    engine.dispose()

    def make(
        email: str,
        page: str | None = None,
        timeout: float = 30,
        query: dict[str, str] | None = None,
    ) -> AppTest:
        """`query`: the link's query parameters (`?deliverable=RB-01`), as an email links."""
        at = AppTest.from_file(APP, default_timeout=timeout)
        at.secrets = dict(NO_AUTH_SECRETS)
        at.session_state["demo_user_id"] = user_ids[email]
        at.query_params.update(query or {})
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return make


@pytest.fixture
def signed_in_app(demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Make an AppTest of the app with sign-in configured, as this identity, optionally on a page;
    `claims` replace the identity's (say, {"email": None}). TRACKER_DEMO is set too, to show that
    a deployment with sign-in never offers the demo picker."""
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    monkeypatch.setenv("TRACKER_DEMO", "1")
    monkeypatch.delenv("TRACKER_ADMINS", raising=False)

    def make(
        email: str | None,
        page: str | None = None,
        *,
        claims: dict[str, Any] | None = None,
        timeout: float = 30,
    ) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=timeout)
        at.secrets = copy.deepcopy(AUTH_SECRETS)
        at.user = {**identity(email), **(claims or {})}
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return make
