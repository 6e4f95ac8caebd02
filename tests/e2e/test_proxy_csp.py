"""The example proxy's Content-Security-Policy (deploy/nginx/tracker.conf) lets tracker work: every
response carries it, as behind the proxy, and pages with charts, tables, forms and downloads run
with nothing blocked but the navigation's icons from Google (see NAVIGATION_ICONS)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Error, Page, Route, expect

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    StreamlitServer,
    act_as,
    open_page,
    run_watch_script,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "tracker.conf"
CSP = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', NGINX.read_text())[1]  # type: ignore[index]
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`));
"""
ADMIN = "Priya Raman (admin, Northmoor District Council)"
#: the one thing the policy blocks: Streamlit's top navigation fetches its pages' Material icons
#: from Google; blocked, the menu keeps its words and tracker contacts nobody outside
NAVIGATION_ICONS = "img-src https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded"


def _blocked(page: Page) -> set[str]:
    """Each violation, the icons' by their common start."""
    return {
        NAVIGATION_ICONS if v.startswith(NAVIGATION_ICONS) else v
        for v in page.evaluate("() => window.__cspViolations")
    }


def _with_csp(route: Route) -> None:
    """Pass the response on with the policy added. A request the server drops (a download's
    media file removed by a rerun) fails in the browser as it would behind the proxy, instead of
    raising inside Playwright's route handler, which breaks the test's next call."""
    try:
        response = route.fetch()
    except Error:
        route.abort("connectionreset")
        return
    route.fulfill(
        response=response,
        headers={**response.headers, "content-security-policy": CSP},
    )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page of a Chromium of its own: with responses fulfilled by the test (to add the header),
    Chromium's local network access checks would block the websocket to 127.0.0.1, which a real
    proxy's responses never meet."""
    own = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
    )
    context = own.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(script=run_watch_script())
    context.add_init_script(script=RECORD_VIOLATIONS)
    context.route("**/*", _with_csp)
    yield context.new_page()
    context.close()
    own.close()


def test_the_example_policy_breaks_nothing(app_server: StreamlitServer, page: Page) -> None:
    page.goto(app_server.url)
    wait_for_app(page)
    act_as(page, ADMIN)
    for section, title in [
        ("Delivery", "Burndown and progress"),  # Plotly charts
        ("People", "Contacts"),  # editable tables, an upload, downloads
        ("Programme", "RAID log"),  # forms
        ("Programme", "Board pack"),  # ratings, downloads
    ]:
        open_page(page, section, title)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert _blocked(page) <= {NAVIGATION_ICONS}, title
    open_page(page, "Delivery", "Burndown and progress")
    expect(page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first).to_be_visible()
    assert _blocked(page) <= {NAVIGATION_ICONS}
