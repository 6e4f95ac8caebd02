"""Contacts and engagements to and from CSV and Excel files (read and written, with their limits,
by tracker.services.spreadsheets).

A CSV file holds one table, told apart by its header (engagements have a `raci` column); an Excel
workbook holds a "Contacts" sheet, an "Engagements" sheet, or both. Imports are all-or-nothing:
every row of every sheet is checked first, and one bad row rejects the file with each bad row
numbered as the spreadsheet numbers it (the header is row 1), writing nothing. Exports quote
cells a spreadsheet would run as formulas; imports unquote them (`tracker.services.spreadsheets`).
"""

from enum import StrEnum

import pandas as pd
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.policy import Action, Actor, require
from tracker.services.engagement.maps import engagement_frame, plan_engagements
from tracker.services.people.contacts import (
    CONTACT_COLUMNS,
    ContactStatus,
    contacts_frame,
    plan_contacts,
)
from tracker.services.programme.overview import list_programmes
from tracker.services.spreadsheets import (
    FileRejected,
    header,
    read_tables,
    table_rows,
    write_tables,
)
from tracker.services.validation import RowEdit, RowsRejected, Unconfirmed


class Table(StrEnum):
    contacts = "Contacts"
    engagements = "Engagements"


COLUMNS = {
    Table.contacts: CONTACT_COLUMNS,
    Table.engagements: [
        "deliverable",
        "stage",
        "email",
        "person",
        "raci",
        "side",
        "escalation_order",
        "power",
        "interest",
        "channel",
        "notes",
    ],
}
REQUIRED = {
    Table.contacts: {"name", "organisation"},
    Table.engagements: {"deliverable", "email", "raci", "side", "power", "interest"},
}


def export_frames(session: Session, actor: Actor) -> dict[Table, pd.DataFrame]:
    """Both tables as the actor may see them, in the file layout (erased people left out)."""
    require(actor, Action.edit_contacts)
    contacts = contacts_frame(session, actor)
    contacts = contacts[contacts["status"] != ContactStatus.erased]
    maps = [
        engagement_frame(session, actor, programme_id=p.id) for p in list_programmes(session, actor)
    ]
    engagements = pd.concat(maps) if maps else pd.DataFrame(columns=COLUMNS[Table.engagements])
    engagements = engagements.rename(columns={"ref": "deliverable", "name": "person"})
    return {
        Table.contacts: contacts[COLUMNS[Table.contacts]].reset_index(drop=True),
        Table.engagements: engagements[COLUMNS[Table.engagements]].reset_index(drop=True),
    }


def export_file(
    session: Session, actor: Actor, *, filename: str, table: Table = Table.contacts
) -> bytes:
    """The file's bytes: a CSV of one table, or an Excel workbook with both."""
    frames = export_frames(session, actor)
    return write_tables(filename, {t.value: f for t, f in frames.items()}, table.value)


def read_file(filename: str, data: bytes) -> dict[Table, list[RowEdit]]:
    """The rows of each table in a file, numbered as in the spreadsheet."""
    tables = read_tables(filename, data)
    if "" in tables:  # a CSV file: engagements have a raci column
        table = Table.engagements if "raci" in header(tables[""]) else Table.contacts
        return {table: table_rows(table.value, tables[""], COLUMNS[table], REQUIRED[table])}
    found = {
        t: table_rows(t.value, tables[t.value.lower()], COLUMNS[t], REQUIRED[t])
        for t in Table
        if t.value.lower() in tables
    }
    if not found:
        raise FileRejected(f"{filename} has no sheet named {' or '.join(Table)}")
    return found


def account_changes(session: Session, actor: Actor, *, filename: str, data: bytes) -> list[str]:
    """What importing the file would change of people who sign in, each naming its row; empty
    when nothing (or when the file has problems, which importing it reports)."""
    require(actor, Action.edit_contacts)
    try:
        rows = read_file(filename, data).get(Table.contacts, [])
    except TrackerError:
        return []
    plan = plan_contacts(session, actor, rows=rows, table=Table.contacts.value)
    return [str(change) for change in plan.account_changes]


def import_file(
    session: Session, actor: Actor, *, filename: str, data: bytes, confirmed: bool = False
) -> dict[Table, int]:
    """Check every row of the file, then write them all, or raise RowsRejected and write none.

    Engagements may name people the same file adds as contacts. A contact row matching someone
    who signs in and changing their email, name, organisation or status is written only when
    `confirmed`: otherwise Unconfirmed lists each such change and nothing is written, since an
    email change moves a sign-in to whoever holds the new address.
    """
    require(actor, Action.edit_contacts)
    tables = read_file(filename, data)
    contacts = plan_contacts(
        session, actor, rows=tables.get(Table.contacts, []), table=Table.contacts.value
    )
    engagements = plan_engagements(
        session,
        actor,
        rows=tables.get(Table.engagements, []),
        new_emails=contacts.emails,
        table=Table.engagements.value,
    )
    problems = contacts.problems + engagements.problems
    if problems:
        raise RowsRejected(problems)
    if contacts.account_changes and not confirmed:
        raise Unconfirmed(
            filename,
            contacts.account_changes,
            confirm="tracker contacts import --yes",
            note=" (an email change moves their sign-in to the new address)",
        )
    return {
        Table.contacts: contacts.apply(session),
        Table.engagements: engagements.apply(session),
    }
