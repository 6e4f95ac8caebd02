"""The Board pack in a real browser, for a board member, a project owner and a supplier contact,
each checked by axe; the printable HTML pack checked by axe and for its page breaks. Writes the
README's screenshot of the pack, with a report published."""

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from tests.support.browser import (
    StreamlitServer,
    act_as,
    axe_violations,
    open_page,
    wait_for_app,
)
from tracker.db import create_tracker_engine
from tracker.metrics.rag import Dimension
from tracker.services.auth.users import actor_for_email
from tracker.services.board.exports import report_html
from tracker.services.board.highlight import build_report
from tracker.services.board.notes import period_notes, save_note
from tracker.services.board.period import Period
from tracker.services.board.publish import publish_report
from tracker.services.delivery.sprints import find_programme

PROGRAMME = "Marshland Shared Services Partnership"
ADMIN = "priya.raman@northmoor.gov.uk"
BOARD = "Cllr Joan Whitfield (programme board member, Westbridge County Council)"
OWNER = "Tom Hargreaves (project owner, Northmoor District Council)"
SUPPLIER = "Karen Stokes (supplier contact, Ledgerline Systems Ltd)"
SUMMARIES = {
    "RB-01": "Migration rehearsal 3 reconciled every Eastvale account; the session-timeout fix "
    "waits on release 4.7.",
    "ASC-01": "The data sharing agreement is with both legal teams; go-live stays blocked until "
    "it is signed.",
}

pytestmark = pytest.mark.e2e


def _publish(database_url: str) -> None:
    """What a programme manager does before the board meets: owners' notes, then publish."""
    engine = create_tracker_engine(database_url)
    with Session(engine) as session:
        admin = actor_for_email(session, ADMIN)
        programme = find_programme(session, admin, name=PROGRAMME)
        content = build_report(session, admin, programme_id=programme.id)
        period = Period(
            pd.Timestamp(content["period"]["start"]).date(),
            pd.Timestamp(content["period"]["end"]).date(),
        )
        for note in period_notes(
            session, admin, programme_id=programme.id, period=period
        ).itertuples():
            save_note(
                session,
                admin,
                deliverable_id=note.deliverable_id,
                period=period,
                summary=SUMMARIES.get(note.ref, "On plan for the period."),
                next_period="Next sprint as planned.",
                declared={
                    d.value: "amber" if note.ref in SUMMARIES else "green" for d in Dimension
                },
            )
        publish_report(session, admin, programme_id=programme.id)
        session.commit()
    engine.dispose()


def test_each_role_reads_the_pack_and_it_passes_axe(
    app_server: StreamlitServer, app_database_url: str, page: Page, screenshots: Path
) -> None:
    _publish(app_database_url)
    page.goto(app_server.url)
    wait_for_app(page)
    found = {}

    act_as(page, BOARD)  # the first run derives every rating
    expect(page.get_by_role("heading", name="Board pack", level=1)).to_be_visible()
    for name in ("Exceptions", "Programme dimensions", "Published reports"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("Deliverables: forecast against target")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_for_app(page)
    found["board member"] = axe_violations(page)
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(height, 2600)})
    wait_for_app(page)
    page.screenshot(path=screenshots / "board-pack.png", full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})

    act_as(page, OWNER)
    open_page(page, "Programme", "Board pack")
    expect(page.get_by_role("heading", name="Your highlight notes")).to_be_visible()
    found["project owner"] = axe_violations(page)

    act_as(page, SUPPLIER)
    open_page(page, "Programme", "Board pack")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    found["supplier contact"] = axe_violations(page)
    problems = {
        role: [(v["id"], [n["html"][:200] for n in v["nodes"][:3]]) for v in violations]
        for role, violations in found.items()
        if violations
    }
    assert not problems, problems


def test_the_printable_pack_passes_axe_and_breaks_pages(
    demo_sqlite_url: str, browser: Browser
) -> None:
    engine = create_tracker_engine(demo_sqlite_url)
    with Session(engine) as session:
        admin = actor_for_email(session, ADMIN)
        programme = find_programme(session, admin, name=PROGRAMME)
        html = report_html(build_report(session, admin, programme_id=programme.id))
    engine.dispose()
    # the pack forbids every script (Content-Security-Policy); axe is let in for the check only
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content(html)
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    breaks = page.locator("section.deliverable").evaluate_all(
        "sections => sections.map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks == ["page"] * 7
    assert page.locator("svg[role='img'] title").count() == 7
    context.close()
