"""Editable tables in a real browser: an empty cell is blank, not a grey "None".

st.data_editor draws a grey "None" in every empty cell of a column people may edit (an
engagement's escalation order, an accreditation's scope and level, a rule's minimum level, a
user's last sign-in), which reads as if someone had typed it. The grid is a canvas, so the test
records the text the page draws.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import StreamlitServer, act_as, open_page, rerun, wait_for_app

pytestmark = pytest.mark.e2e

ADMIN = "Priya Raman (admin, Northmoor District Council)"

# every string a canvas draws, for the grids (their cells are not text in the page)
RECORD_CANVAS_TEXT = """
(() => {
  window.__drawnText = new Set();
  const draw = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    window.__drawnText.add(String(text));
    return draw.call(this, text, ...rest);
  };
})();
"""


def drawn(page: Page) -> set[str]:
    return set(page.evaluate("() => [...window.__drawnText]"))


def editors(page: Page):
    return page.get_by_test_id("stForm").get_by_test_id("stDataFrame")


@pytest.mark.parametrize(
    ("user", "section", "title", "shown"),
    [
        (ADMIN, "People", "Supplier assurance", "Cyber Essentials Plus"),
        (ADMIN, "Admin", "Users and sign-ins", "supplier contact"),
        (ADMIN, "People", "Contacts", "Binwise Digital Ltd"),
        (ADMIN, "People", "Engagement map", "council"),
    ],
    ids=["assurance", "users", "contacts", "engagement"],
)
def test_empty_cells_of_editable_tables_are_blank(
    app_server: StreamlitServer, page: Page, user: str, section: str, title: str, shown: str
) -> None:
    page.add_init_script(script=RECORD_CANVAS_TEXT)
    page.goto(app_server.url)
    wait_for_app(page)
    act_as(page, user)
    open_page(page, section, title)
    expect(editors(page).first).to_be_visible()
    deliverable = page.get_by_role("combobox", name="Deliverable")
    if title == "Engagement map" and not deliverable.input_value().startswith("ASC-01 "):
        # the deliverable whose map has rows without an escalation order
        deliverable.click()
        with rerun(page):
            page.get_by_role("option", name="ASC-01 Adult social care referrals").click()
    for editor in editors(page).all():
        editor.scroll_into_view_if_needed()
    wait_for_app(page)
    page.wait_for_function("(shown) => window.__drawnText.has(shown)", arg=shown, timeout=10_000)
    assert "None" not in drawn(page)
