"""The Contacts page's import in a real browser (AppTest cannot upload a file): a file changing
the email of someone who signs in lists the change, imports nothing until the admin ticks the
box, then imports (tests/security/test_import_changes_user_confirmed.py holds the rule)."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.support.browser import StreamlitServer, act_as, open_page, rerun, wait_for_app
from tracker.db import create_tracker_engine
from tracker.models import Person

pytestmark = pytest.mark.e2e

ADMIN = "Priya Raman (admin, Northmoor District Council)"
NEW_EMAIL = "k.stokes@ledgerline.example"


def _karens_email(database_url: str) -> str | None:
    engine = create_tracker_engine(database_url)
    with Session(engine) as session:
        email = session.exec(select(Person.email).where(Person.name == "Karen Stokes")).one()
    engine.dispose()
    return email


def test_a_change_to_someone_who_signs_in_waits_for_the_tick_box(
    app_server: StreamlitServer, app_database_url: str, page: Page, tmp_path: Path
) -> None:
    upload = tmp_path / "contacts.csv"
    upload.write_text(
        "name,job_title,organisation,email,phone,status\n"
        f"Karen Stokes,Account Director,Ledgerline Systems Ltd,{NEW_EMAIL},,\n",
        encoding="utf-8",
    )
    page.goto(app_server.url)
    wait_for_app(page)
    act_as(page, ADMIN)
    open_page(page, "People", "Contacts")

    with rerun(page):
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(upload)
    expect(page.get_by_text("This file changes 1 person who signs in to tracker")).to_be_visible()
    with rerun(page):
        page.get_by_role("button", name="Import this file").click()
    expect(
        page.get_by_text("nothing was written: it changes 1 person who signs in")
    ).to_be_visible()
    assert _karens_email(app_database_url) == "karen.stokes@ledgerline.co.uk"

    with rerun(page):
        page.get_by_text("Apply these changes to people who sign in").click()
    with rerun(page):
        page.get_by_role("button", name="Import this file").click()
    expect(page.get_by_text("Imported: contacts: 1 row")).to_be_visible()
    assert _karens_email(app_database_url) == NEW_EMAIL
    expect(page.get_by_test_id("stException")).to_have_count(0)
