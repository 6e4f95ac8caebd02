"""WCAG 2.2 AA, checked by axe-core in Chromium on every page, as the admin sees it (every page).

Public-sector services must meet WCAG 2.2 AA. axe finds what machines can find (contrast, names
of controls, structure); the rules a machine cannot judge are kept by the code's conventions.
"""

import json

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import (
    StreamlitServer,
    act_as,
    axe_violations,
    open_page,
    wait_for_app,
)
from tracker.models import Role
from tracker.ui.navigation import PAGES, pages_for
from tracker.ui.page import page_title

pytestmark = pytest.mark.e2e


def test_every_page_passes_axe(app_server: StreamlitServer, page: Page) -> None:
    found = {}
    for spec in PAGES:
        page.goto(f"{app_server.url}/{spec.url_path}")
        wait_for_app(page, timeout=60_000)
        assert page.get_by_test_id("stException").count() == 0, spec.url_path
        assert page.get_by_role("heading", level=1).count() == 1, spec.url_path
        # WCAG 2.4.2: every page its own title, not the app's name alone (a page the admin
        # may not open sends them to their first page)
        shown = spec if spec in pages_for(Role.admin) else pages_for(Role.admin)[0]
        expect(page).to_have_title(page_title(shown.url_path))
        violations = axe_violations(page)
        if violations:
            found[spec.url_path] = [
                {"rule": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
                for v in violations
            ]
    assert not found, json.dumps(found, indent=1)


RAID_PAGES = {"RAID log": "raid", "Decision log": "decisions", "Dependencies": "dependencies"}
DEMO_USERS = [
    "Priya Raman (admin, Northmoor District Council)",
    "Tom Hargreaves (project owner, Northmoor District Council)",
    "Cllr Joan Whitfield (programme board member, Westbridge County Council)",
    "Karen Stokes (supplier contact, Ledgerline Systems Ltd)",
]


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda u: u.split(" (")[1].split(",")[0])
def test_raid_pages_pass_axe_for_each_role(
    app_server: StreamlitServer, page: Page, user: str
) -> None:
    """The RAID, decision and dependency pages hold role-dependent forms and tables (a supplier
    sees fewer rows, a board member no forms): each role's view is checked."""
    page.goto(app_server.url)
    wait_for_app(page)
    act_as(page, user)
    found = {}
    for title, url_path in RAID_PAGES.items():
        open_page(page, "Programme", title)
        assert page.get_by_test_id("stException").count() == 0, url_path
        assert page.get_by_role("heading", level=1).count() == 1, url_path
        expect(page).to_have_title(page_title(url_path))
        violations = axe_violations(page)
        if violations:
            found[url_path] = [
                {"rule": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
                for v in violations
            ]
    assert not found, json.dumps(found, indent=1)
