"""A page's own address, opened by the first visitor after the server starts: the page they
asked for, with no "Page not found" dialog (Streamlit's legacy multipage mode answered the first
script run from `pages/*.py`; `tracker serve` starts it knowing pages/ is st.navigation's).

This module's server has had no visitor when the test opens the link, so keep it the only test
here."""

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import StreamlitServer, wait_for_app

pytestmark = pytest.mark.e2e


def test_the_first_visitor_s_bookmarked_page_opens_without_a_not_found_dialog(
    app_server: StreamlitServer, page: Page
) -> None:
    page.goto(f"{app_server.url}/contacts")
    wait_for_app(page, timeout=60_000)
    expect(page.get_by_role("heading", name="Contacts", exact=True, level=1)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
