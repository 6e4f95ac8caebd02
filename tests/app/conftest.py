"""AppTest over the demo database, acting as any demo user."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tracker.db import create_tracker_engine, session_scope
from tracker.services.users import actor_for_email

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")

ADMIN = "priya.raman@northmoor.gov.uk"
OWNER = "tom.hargreaves@northmoor.gov.uk"
BOARD = "joan.whitfield@westbridge.gov.uk"
SUPPLIER = "karen.stokes@ledgerline.co.uk"
#: a supplier contact (Carers Link Trust) with no acceptance criteria waiting in the demo
IDLE_SUPPLIER = "sarah.whitlock@carerslink.org.uk"
ROLES = {
    "admin": ADMIN,
    "project owner": OWNER,
    "board member": BOARD,
    "supplier": SUPPLIER,
    "idle supplier": IDLE_SUPPLIER,
}


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
    engine = create_tracker_engine(demo_sqlite_url)
    with session_scope(engine) as session:
        user_ids = {email: actor_for_email(session, email).user_id for email in ROLES.values()}
    engine.dispose()

    def make(email: str, page: str | None = None, timeout: float = 30) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=timeout)
        at.session_state["demo_user_id"] = user_ids[email]
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return make
