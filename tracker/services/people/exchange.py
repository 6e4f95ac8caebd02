"""Contacts and engagements to and from CSV and Excel files.

A CSV file holds one table, told apart by its header (engagements have a `raci` column); an Excel
workbook holds a "Contacts" sheet, an "Engagements" sheet, or both. Imports are all-or-nothing:
every row of every sheet is checked first, and one bad row rejects the file with each bad row
numbered as the spreadsheet numbers it (the header is row 1), writing nothing. Exports quote
cells a spreadsheet would run as formulas; imports unquote them (`tracker.services.spreadsheets`).
"""

import io
import zipfile
from enum import StrEnum
from pathlib import PurePath

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
from tracker.services.spreadsheets import inert, restored
from tracker.services.validation import RowEdit, RowsRejected, blank


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
FORMATS = (".csv", ".xlsx")
#: the largest file accepted, here and by the app's uploader (`.streamlit/config.toml`)
MAX_FILE_MB = 5
#: rows per table: a programme's contacts and engagements are hundreds, not tens of thousands
MAX_ROWS = 10_000
#: an .xlsx is a zip of about a dozen XML files; a workbook of MAX_ROWS rows expands to a few MB
#: at under 20:1. Anything far beyond is a decompression bomb, refused before it is parsed.
MAX_ENTRIES = 100
MAX_EXPANDED_MB = 30
MAX_RATIO = 100


class FileRejected(TrackerError, ValueError):
    """The file cannot be read as tracker's contacts or engagements; nothing was saved."""


def _suffix(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        raise FileRejected(f"{filename}: use a .csv or .xlsx file")
    return suffix


def export_frames(session: Session, actor: Actor) -> dict[Table, pd.DataFrame]:
    """Both tables as the actor may see them, in the file layout (erased people left out)."""
    require(actor, Action.edit_contacts)
    contacts = contacts_frame(session, actor)
    contacts = contacts[contacts["status"] != ContactStatus.erased]
    maps = [engagement_frame(session, actor, p.id) for p in list_programmes(session, actor)]
    engagements = pd.concat(maps) if maps else pd.DataFrame(columns=COLUMNS[Table.engagements])
    engagements = engagements.rename(columns={"ref": "deliverable", "name": "person"})
    return {
        Table.contacts: contacts[COLUMNS[Table.contacts]].reset_index(drop=True),
        Table.engagements: engagements[COLUMNS[Table.engagements]].reset_index(drop=True),
    }


def export_file(
    session: Session, actor: Actor, filename: str, table: Table = Table.contacts
) -> bytes:
    """The file's bytes: a CSV of one table, or an Excel workbook with both."""
    suffix = _suffix(filename)
    frames = export_frames(session, actor)
    if suffix == ".csv":
        return inert(frames[table]).to_csv(index=False).encode("utf-8")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            inert(frame).to_excel(writer, sheet_name=name.value, index=False)
    return buffer.getvalue()


def _rows(table: Table, frame: pd.DataFrame) -> list[RowEdit]:
    frame = frame.rename(columns=lambda c: str(c).strip().lower().replace(" ", "_"))
    unknown = [c for c in frame.columns if c not in COLUMNS[table]]
    missing = sorted(REQUIRED[table] - set(frame.columns))
    if unknown or missing:
        said = [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        said += [f"missing column(s) {', '.join(missing)}"] if missing else []
        raise FileRejected(
            f"{table.value}: {'; '.join(said)} (columns: {', '.join(COLUMNS[table])})"
        )
    return [
        RowEdit(row=i + 2, values={k: restored(v) for k, v in values.items()})
        for i, values in enumerate(frame.to_dict("records"))
        if not all(blank(v) for v in values.values())
    ]


def _check_archive(filename: str, data: bytes) -> None:
    """Refuse a workbook that would expand beyond reason, from the zip's directory alone (Python's
    zipfile never inflates an entry past its declared size, so the declared sizes bound it)."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise FileRejected(
            f"{filename} is not an Excel workbook (.xlsx is a zip archive)"
        ) from None
    if len(entries) > MAX_ENTRIES:
        raise FileRejected(
            f"{filename} holds {len(entries):,} entries; a workbook has far fewer (at most "
            f"{MAX_ENTRIES}): nothing was read"
        )
    expanded = sum(entry.file_size for entry in entries)
    worst = max(entries, key=lambda e: e.file_size / max(e.compress_size, 1), default=None)
    ratio = worst.file_size / max(worst.compress_size, 1) if worst else 0
    if expanded > MAX_EXPANDED_MB * 1024 * 1024 or ratio > MAX_RATIO:
        raise FileRejected(
            f"{filename} expands to {expanded / 1024 / 1024:,.0f} MB ({ratio:,.0f} times its "
            f"packed size); tracker reads workbooks up to {MAX_EXPANDED_MB} MB expanded and "
            f"{MAX_RATIO}:1: nothing was read"
        )


def _check_rows(filename: str, frames: list[pd.DataFrame]) -> None:
    if any(len(frame) > MAX_ROWS for frame in frames):
        raise FileRejected(
            f"{filename} has more than {MAX_ROWS:,} rows in a table: split it into smaller files"
        )


def read_file(filename: str, data: bytes) -> dict[Table, list[RowEdit]]:
    """The rows of each table in a file, numbered as in the spreadsheet. Size, archive and row
    limits are checked before and while parsing, so a hostile file costs well under a second."""
    suffix = _suffix(filename)
    if len(data) > MAX_FILE_MB * 1024 * 1024:
        raise FileRejected(
            f"{filename} is larger than {MAX_FILE_MB} MB: split it into smaller files"
        )
    try:
        if suffix == ".csv":
            frame = pd.read_csv(
                io.BytesIO(data),
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                nrows=MAX_ROWS + 1,
            )
            _check_rows(filename, [frame])
            header = {str(c).strip().lower() for c in frame.columns}
            table = Table.engagements if "raci" in header else Table.contacts
            return {table: _rows(table, frame)}
        _check_archive(filename, data)
        sheets = pd.read_excel(
            io.BytesIO(data), sheet_name=None, dtype=str, engine="openpyxl", nrows=MAX_ROWS + 1
        )
    except (ValueError, UnicodeDecodeError, OSError, zipfile.BadZipFile, KeyError) as exc:
        if isinstance(exc, FileRejected):
            raise
        raise FileRejected(f"{filename} cannot be read: {exc}") from None
    _check_rows(filename, list(sheets.values()))
    by_name = {name.strip().lower(): frame for name, frame in sheets.items()}
    found = {t: _rows(t, by_name[t.value.lower()]) for t in Table if t.value.lower() in by_name}
    if not found:
        raise FileRejected(f"{filename} has no sheet named {' or '.join(Table)}")
    return found


def import_file(session: Session, actor: Actor, filename: str, data: bytes) -> dict[Table, int]:
    """Check every row of the file, then write them all, or raise RowsRejected and write none.

    Engagements may name people the same file adds as contacts.
    """
    require(actor, Action.edit_contacts)
    tables = read_file(filename, data)
    contacts = plan_contacts(session, actor, tables.get(Table.contacts, []), Table.contacts.value)
    engagements = plan_engagements(
        session,
        actor,
        tables.get(Table.engagements, []),
        new_emails=contacts.emails,
        table=Table.engagements.value,
    )
    problems = contacts.problems + engagements.problems
    if problems:
        raise RowsRejected(problems)
    return {
        Table.contacts: contacts.apply(session),
        Table.engagements: engagements.apply(session),
    }
