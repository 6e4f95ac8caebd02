"""The overview in a real browser: deliverables render, nothing raises, and a screenshot for the
README."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import StreamlitServer, open_page, wait_for_app

pytestmark = pytest.mark.e2e


def test_overview_shows_the_demo_programme(
    app_server: StreamlitServer, page: Page, screenshots: Path
) -> None:
    page.goto(app_server.url)
    wait_for_app(page)
    open_page(page, "Programme", "Programme overview")
    expect(page.get_by_role("heading", name="Programme overview")).to_be_visible()
    expect(page.get_by_text("Marshland Shared Services Partnership").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(5)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    # the demo-mode label is always on screen
    expect(page.get_by_text("Demo mode").first).to_be_visible()
    page.screenshot(path=screenshots / "overview.png", full_page=True)
