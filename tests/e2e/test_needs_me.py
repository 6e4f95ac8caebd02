"""What needs me in a real browser, walked as a project owner, a supplier contact and an admin:
each lands on their own work, overdue is a word, and a card's section leads to where it is done.
Writes the README's screenshot of a supplier contact's view."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import StreamlitServer, act_as, rerun, wait_for_app

pytestmark = pytest.mark.e2e


def heading(page: Page, name: str):
    return page.get_by_role("heading", name=name, exact=True)


def test_each_role_walks_what_needs_them(
    app_server: StreamlitServer, page: Page, screenshots: Path
) -> None:
    page.goto(app_server.url)
    wait_for_app(page)

    act_as(page, "Priya Raman (admin, Northmoor District Council)")
    expect(heading(page, "What needs me")).to_be_visible()
    expect(heading(page, "Blocked gates (1)")).to_be_visible()
    expect(page.get_by_text("Blocked: missing NHS DSPT (Standards Met).")).to_be_visible()
    expect(heading(page, "People waiting for an account (0)")).to_be_visible()

    act_as(page, "Tom Hargreaves (project owner, Northmoor District Council)")
    expect(heading(page, "Evidence to accept or reject (1)")).to_be_visible()
    expect(page.get_by_text("Evidence submitted: accept or reject it (AC-1).")).to_be_visible()
    expect(page.get_by_text("Overdue").first).to_be_visible()
    with rerun(page):
        page.get_by_role("link", name="Go to Acceptance criteria").first.click()
    expect(heading(page, "Acceptance criteria")).to_be_visible()
    # the criteria page opens on Tom's own council's deliverable
    expect(page.get_by_role("combobox", name="Deliverable")).to_have_value(re.compile("^RB-01 "))

    page.goto(app_server.url)
    wait_for_app(page)
    act_as(page, "Karen Stokes (supplier contact, Ledgerline Systems Ltd)")
    expect(heading(page, "What needs me")).to_be_visible()
    expect(heading(page, "Criteria to confirm (2)")).to_be_visible()
    expect(heading(page, "Your open queries (1)")).to_be_visible()
    expect(page.get_by_text("You asked: Does 'reminder' include final notices?")).to_be_visible()
    expect(page.get_by_text("Overdue").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": 1400, "height": height})
    wait_for_app(page)
    page.screenshot(path=screenshots / "needs-me.png", full_page=True)
