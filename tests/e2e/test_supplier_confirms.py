"""A supplier contact confirms a criterion in a real browser; the ledger records it and verifies."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.support.browser import StreamlitServer, act_as, open_page, rerun, wait_for_app
from tracker.cli.app import operator_actor
from tracker.db import create_tracker_engine
from tracker.models import AcceptanceCriterion, AuditEntry, Deliverable
from tracker.services.audit import verify_ledger

pytestmark = pytest.mark.e2e


def test_supplier_confirms_a_criterion(
    app_server: StreamlitServer, app_database_url: str, page: Page, screenshots: Path
) -> None:
    page.goto(app_server.url)
    wait_for_app(page)
    act_as(page, "Karen Stokes (supplier contact, Ledgerline Systems Ltd)")
    open_page(page, "Acceptance", "Criteria waiting for me")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(
        page.get_by_role("heading", name="RB-01 AC-4: Arrears can be paid by instalments online")
    )
    # only Ledgerline's criteria: nothing of Binwise's waste deliverables
    expect(page.get_by_text("WB-01")).to_have_count(0)

    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Confirm AC-4 as understood")
    )
    form.get_by_role("textbox", name="Comment (optional)").fill(
        "Understood: ten monthly instalments at most."
    )
    with rerun(page):
        form.get_by_role("button", name="Confirm AC-4 as understood").click()
    saved = page.get_by_text("Saved: AC-4 is now 'confirmed', version 1.")
    expect(saved).to_be_visible()
    saved.scroll_into_view_if_needed()
    expect(page.get_by_role("button", name="Confirm AC-4 as understood")).to_have_count(0)
    page.screenshot(path=screenshots / "supplier-confirms.png", full_page=True)

    engine = create_tracker_engine(app_database_url)
    with Session(engine) as session:
        criterion = session.exec(
            select(AcceptanceCriterion)
            .join(Deliverable, Deliverable.id == AcceptanceCriterion.deliverable_id)
            .where(Deliverable.ref == "RB-01", AcceptanceCriterion.number == 4)
        ).one()
        last = session.exec(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert criterion.status == "confirmed"
        assert (last.action, last.subject_id, last.actor_role, last.comment) == (
            "confirm",
            criterion.id,
            "supplier contact",
            "Understood: ten monthly instalments at most.",
        )
        assert verify_ledger(session, operator_actor()).intact
    engine.dispose()
