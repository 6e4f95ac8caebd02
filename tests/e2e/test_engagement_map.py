"""The engagement map in a real browser: a deliverable's gaps, map and power/interest grid render,
nothing raises, and a screenshot for the README."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import StreamlitServer, rerun, wait_for_app

pytestmark = pytest.mark.e2e


def test_engagement_map_of_a_deliverable_with_gaps(
    app_server: StreamlitServer, page: Page, screenshots: Path
) -> None:
    page.goto(app_server.url)
    wait_for_app(page)
    page.get_by_test_id("stTopNavSection").filter(has_text="People").click()
    with rerun(page):
        page.get_by_test_id("stTopNavDropdownLink").filter(has_text="Engagement map").click()
    expect(page.get_by_role("heading", name="Engagement map", exact=True)).to_be_visible()
    page.locator(".st-key-map_ref").click()
    with rerun(page):
        page.get_by_role("option", name="WA-01 Welfare advice referrals").click()
    expect(page.get_by_role("heading", name="Who to engage now: WA-01 at Alpha")).to_be_visible()
    expect(page.get_by_text("Gap (contact has left): Liam Doherty")).to_be_visible()
    expect(page.get_by_text("lacks NHS DSPT (Standards Met)").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_role("tab", name="Power and interest").click()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    page.get_by_role("tab", name="Map").click()
    expect(page.get_by_role("heading", name="Engagement map of WA-01")).to_be_visible()
    page.set_viewport_size({"width": 1400, "height": 1500})  # the app scrolls inside itself
    wait_for_app(page)
    page.screenshot(path=screenshots / "engagement-map.png", full_page=True)
