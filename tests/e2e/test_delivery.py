"""The delivery pages in a real browser: figures render, nothing raises, and a screenshot of the
burndown page for the README."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import StreamlitServer, rerun, wait_for_app

pytestmark = pytest.mark.e2e


def open_delivery_page(server: StreamlitServer, page: Page, title: str) -> None:
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_test_id("stTopNavSection").filter(has_text="Delivery").click()
    with rerun(page, timeout=60_000):
        page.get_by_test_id("stTopNavDropdownLink").filter(has_text=title).click()


def test_burndown_page_draws_its_three_figures(
    app_server: StreamlitServer, page: Page, screenshots: Path
) -> None:
    open_delivery_page(app_server, page, "Burndown and progress")
    expect(page.get_by_role("heading", name="Burndown and progress")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(3)
    for name in ("RB Sprint 21 burndown", "RB Scrum velocity", "Burnup of the whole programme"):
        expect(page.get_by_text(name).first).to_be_visible()
    # velocity and the forecast's dates are in tables as well as on their figures
    expect(page.get_by_test_id("stDataFrame").filter(visible=True)).to_have_count(2)
    # Streamlit scrolls inside its main block, so a full-page shot needs a window as tall as it
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": 1400, "height": height})
    wait_for_app(page)
    page.screenshot(path=screenshots / "burndown.png", full_page=True)


def test_sprint_review_renders(app_server: StreamlitServer, page: Page) -> None:
    open_delivery_page(app_server, page, "Sprint review")
    expect(page.get_by_role("heading", name="Sprint review")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Sprint goal:").first).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(1)
    expect(page.get_by_role("button", name="Download the sprint's issues (CSV)")).to_be_visible()


def test_the_sprint_box_names_the_sprint_the_review_shows(
    app_server: StreamlitServer, page: Page
) -> None:
    """Choosing another deliverable used to keep the old sprint's name in the box while the
    report counted another sprint."""
    open_delivery_page(app_server, page, "Sprint review")
    page.locator(".st-key-review_sprint").click()
    with rerun(page):
        page.get_by_role("option", name="ASC Sprint 25 (closed 26 Oct 2026)").click()
    expect(page.get_by_role("heading", name="ASC Sprint 25: ASC-01's issues")).to_be_visible()
    page.locator(".st-key-review_deliverable").click()
    with rerun(page):
        page.get_by_role("option", name="RB-01 Shared revenues and benefits platform").click()
    expect(page.get_by_role("heading", name="RB Sprint 20: RB-01's issues")).to_be_visible()
    expect(page.get_by_role("combobox", name="Sprint")).to_have_value(
        re.compile(r"^RB Sprint 20 \(closed")
    )
