"""The contact directory, its edits, and CSV/Excel import and export: all or nothing."""

import io

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tests.support.stakeholders import World, build_world, engage
from tracker.db import session_scope
from tracker.errors import (
    NotAllowed,
    TrackerError,
)
from tracker.models import Deliverable, Engagement, Person
from tracker.services.people.contacts import contacts_frame, save_contacts
from tracker.services.people.exchange import Table, export_file, import_file, read_file
from tracker.services.validation import RowEdit, RowsRejected


@pytest.fixture
def world(engine: Engine) -> World:
    with Session(engine) as session:
        return build_world(session)


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        people = session.exec(select(func.count()).select_from(Person)).one()
        engagements = session.exec(select(func.count()).select_from(Engagement)).one()
    return people, engagements


def run_import(engine: Engine, world: World, filename: str, data: bytes, actor=None):
    """As the app and the CLI do: one transaction, rolled back on any error."""
    with session_scope(engine) as session:
        return import_file(session, actor or world.owner, filename=filename, data=data)


def excel(**sheets: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


BAD_CSV = (
    b"name,job_title,organisation,email,phone,status\n"
    b"Good Person,Analyst,Charity,good@example.org,01632 960123,active\n"
    b"Bad Email,,Charity,not-an-email,,active\n"
    b",No Name,Charity,,,\n"
    b"Wrong Org,,Nowhere Ltd,,+1 555 0100,retired\n"
    b"Sam Again,,Supplier Ltd,SAM@example.org,,\n"
    b"Twin,,Charity,good@example.org,,\n"
)


def test_a_csv_with_bad_rows_is_rejected_with_every_row_numbered(engine, world):
    before = counts(engine)
    with pytest.raises(RowsRejected) as rejected:
        run_import(engine, world, "people.csv", BAD_CSV)
    found = [(p.row, p.message) for p in rejected.value.problems]
    assert found == [
        (3, "email 'not-an-email' is not an email address"),
        (4, "name is required"),
        (5, "organisation 'Nowhere Ltd' is not known to tracker"),
        (5, "phone '+1 555 0100' is not a UK phone number"),
        (5, "status 'retired' must be 'active' or 'left'"),
        (7, "email 'good@example.org' is also on row 2"),
    ]
    assert "Contacts row 3: email 'not-an-email'" in str(rejected.value)
    assert counts(engine) == before


def test_an_excel_file_is_rejected_whole_when_any_sheet_has_bad_rows(engine, world):
    contacts = pd.DataFrame(
        [{"name": "New Person", "organisation": "Charity", "email": "new@example.org"}]
    )
    engagements = pd.DataFrame(
        [
            {"deliverable": "D-2", "email": "new@example.org", "raci": "R", "side": "charity",
             "power": 2, "interest": 4},
            {"deliverable": "D-9", "email": "chris@example.org", "raci": "Z", "side": "charity",
             "power": 2, "interest": 4},
            {"deliverable": "D-2", "email": "chris@example.org", "raci": "A", "side": "charity",
             "power": 2, "interest": 9},
        ]
    )  # fmt: skip
    before = counts(engine)
    with pytest.raises(RowsRejected) as rejected:
        run_import(engine, world, "map.xlsx", excel(Contacts=contacts, Engagements=engagements))
    assert [(p.table, p.row) for p in rejected.value.problems] == [
        ("Engagements", 3),
        ("Engagements", 3),
        ("Engagements", 4),
    ]
    assert counts(engine) == before


def test_a_good_excel_file_adds_contacts_and_engages_them(engine, world):
    contacts = pd.DataFrame(
        [{"name": "New Person", "organisation": "charity", "email": "new@example.org",
          "phone": "07700 900123", "status": "active"}]
    )  # fmt: skip
    engagements = pd.DataFrame(
        [
            {"deliverable": "D-2", "stage": "Alpha", "email": "new@example.org", "raci": "R",
             "side": "charity", "power": 2, "interest": 4, "channel": "email"},
            {"deliverable": "D-2", "stage": "", "email": "Chris@Example.org", "raci": "A",
             "side": "charity", "power": 3, "interest": 5},
        ]
    )  # fmt: skip
    result = run_import(
        engine, world, "map.xlsx", excel(Contacts=contacts, Engagements=engagements)
    )
    assert result == {Table.contacts: 1, Table.engagements: 2}
    with Session(engine) as session:
        frame = contacts_frame(session, world.admin, search="new person")
        assert frame[["organisation", "phone"]].values.tolist() == [["Charity", "07700 900123"]]


def test_an_engagement_names_its_new_contact_exactly_not_by_pattern(engine, world):
    """'_' is a LIKE wildcard: ann_lee@ must not also find annxlee@ added in the same file."""
    contacts = pd.DataFrame(
        [{"name": "Ann Lee", "organisation": "charity", "email": "ann_lee@example.org",
          "status": "active"},
         {"name": "Annx Lee", "organisation": "charity", "email": "annxlee@example.org",
          "status": "active"}]
    )  # fmt: skip
    engagements = pd.DataFrame(
        [{"deliverable": "D-2", "stage": "Alpha", "email": "ann_lee@example.org", "raci": "R",
          "side": "charity", "power": 2, "interest": 4}]
    )  # fmt: skip
    run_import(engine, world, "map.xlsx", excel(Contacts=contacts, Engagements=engagements))
    with Session(engine) as session:
        engaged = session.exec(
            select(Person.email).join(Engagement, Engagement.person_id == Person.id)
        ).all()
    assert "ann_lee@example.org" in engaged
    assert "annxlee@example.org" not in engaged


def test_two_accountables_in_a_file_are_numbered(engine, world):
    csv = (
        b"deliverable,stage,email,raci,side,power,interest\n"
        b"D-1,,sam@example.org,A,supplier,3,3\n"
        b"D-1,Beta,sue@example.org,A,supplier,3,3\n"
    )
    with pytest.raises(RowsRejected) as rejected:
        run_import(engine, world, "map.csv", csv)
    assert [(p.row, p.message.split(" (")[0]) for p in rejected.value.problems] == [
        (2, "D-1 would have 2 Accountables on the supplier side at Beta"),
        (3, "D-1 would have 2 Accountables on the supplier side at Beta"),
    ]
    assert counts(engine)[1] == 0


def test_maps_of_other_councils_deliverables_are_refused_row_by_row(engine, world):
    """Project owners change only their own council's maps; board members import nothing."""
    with Session(engine) as session:
        deliverable = session.get(Deliverable, world.d1)
        deliverable.owner_org_id = world.orgs["Rival Ltd"]
        session.add(deliverable)
        session.commit()
    csv = b"deliverable,email,raci,side,power,interest\nD-1,sam@example.org,A,supplier,3,3\n"
    with pytest.raises(RowsRejected) as rejected:
        run_import(engine, world, "map.csv", csv)
    assert str(rejected.value.problems[0]) == (
        "Engagements row 2: you may not change the engagement map of D-1"
    )
    with pytest.raises(NotAllowed):
        run_import(engine, world, "map.csv", csv, actor=world.board)
    assert counts(engine)[1] == 0


def test_unreadable_files_are_refused_in_one_sentence(engine, world):
    with pytest.raises(TrackerError, match=r"use a \.csv or \.xlsx file"):
        read_file("people.txt", b"x")
    with pytest.raises(TrackerError, match="unknown column\\(s\\) e-mail"):
        read_file("people.csv", b"name,organisation,e-mail\nA,Charity,a@b.org\n")
    with pytest.raises(TrackerError, match="missing column\\(s\\) organisation"):
        read_file("people.csv", b"name,email\nA,a@b.org\n")
    with pytest.raises(TrackerError, match="no sheet named Contacts or Engagements"):
        read_file("book.xlsx", excel(Sheet1=pd.DataFrame({"a": [1]})))


def test_export_then_import_changes_nothing(engine, world):
    with Session(engine) as session:
        engage(session, world, world.d1, "Sam", "A", "supplier", escalation=1)
        workbook = export_file(session, world.admin, filename="all.xlsx")
        contacts_csv = export_file(session, world.admin, filename="c.csv", table=Table.contacts)
    before = counts(engine)
    assert run_import(engine, world, "all.xlsx", workbook) == {
        Table.contacts: before[0],
        Table.engagements: 1,
    }
    assert counts(engine) == before
    assert contacts_csv.decode().splitlines()[0] == "name,job_title,organisation,email,phone,status"


def test_only_staff_who_edit_contacts_export_them(engine, world):
    with Session(engine) as session, pytest.raises(NotAllowed):
        export_file(session, world.board, filename="c.csv")


def test_directory_search_and_filters(session):
    world = build_world(session)
    everyone = contacts_frame(session, world.admin)
    assert len(everyone) == 7
    assert contacts_frame(session, world.admin, search="SUPPLIER")["name"].tolist() == [
        "Sam Supplier",
        "Sue Supplier",
    ]
    charity = contacts_frame(session, world.admin, organisation_ids=[world.orgs["Charity"]])
    assert charity["name"].tolist() == ["Chris Charity"]
    assert contacts_frame(session, world.admin, statuses=["left"]).empty
    own = contacts_frame(session, world.supplier)
    assert set(own["organisation"]) == {"Supplier Ltd"}


def test_editing_contacts_checks_every_row(session):
    world = build_world(session)
    chris = world.people["Chris"]  # no account: what a user signs in with is the admin's
    with pytest.raises(RowsRejected) as rejected:
        save_contacts(
            session,
            world.owner,
            rows=[
                RowEdit(
                    1,
                    {"name": "Chris", "organisation": "Charity", "email": "sue@example.org"},
                    chris,
                ),
                RowEdit(9, {"name": "Newbie", "organisation": "Charity", "phone": "12345"}),
            ],
        )
    assert [(p.row, p.message) for p in rejected.value.problems] == [
        (1, "email 'sue@example.org' already belongs to another contact"),
        (9, "phone '12345' is not a UK phone number"),
    ]
    save_contacts(
        session,
        world.owner,
        rows=[RowEdit(1, {"name": "Chris C", "organisation": "Charity", "status": "left"}, chris)],
    )
    session.commit()
    person = session.get(Person, chris)
    assert (person.name, person.active, person.email) == ("Chris C", False, None)
    with pytest.raises(NotAllowed):
        save_contacts(session, world.board, rows=[])
