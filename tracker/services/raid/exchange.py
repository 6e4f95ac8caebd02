"""The RAID log to and from CSV and Excel files (the format by the file's extension).

The file has the register's columns (tracker.services.raid.register.RAID_COLUMNS); an Excel
workbook holds them on a sheet named "RAID". A row with a `code` changes that item, a row
without raises a new one. Imports are all-or-nothing: every row is checked first, and any bad
row rejects the file with each problem numbered by its spreadsheet row, writing nothing. The
score is exported for reading and never imported: a score that is not likelihood x impact is a
problem, like any other.
"""

from collections.abc import Sequence

import pandas as pd
from sqlmodel import Session

from tracker.errors import Invalid, NotAllowed, count
from tracker.models import RaidItem
from tracker.policy import Actor
from tracker.services.raid.register import (
    RAID_COLUMNS,
    ItemEdit,
    apply_plan,
    plan_items,
    raid_frame,
    row_problems,
)
from tracker.services.spreadsheets import FileRejected, read_tables, table_rows, write_tables
from tracker.services.validation import text

SHEET = "RAID"
REQUIRED = ("kind", "title", "owner_organisation")


def export_raid(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    filename: str,
    deliverable_ids: Sequence[int] | None = None,
    organisation_ids: Sequence[int] | None = None,
) -> bytes:
    """The register as the actor may see it (optionally filtered), as the file's bytes."""
    frame = raid_frame(
        session,
        actor,
        programme_id=programme_id,
        deliverable_ids=deliverable_ids,
        organisation_ids=organisation_ids,
    )[RAID_COLUMNS]
    cells = frame.astype(object).where(frame.notna(), None)
    return write_tables(filename, {SHEET: cells}, SHEET)


def _rows(filename: str, data: bytes) -> pd.DataFrame:
    tables = read_tables(filename, data)
    if "" in tables:
        return tables[""]
    if SHEET.lower() in tables:
        return tables[SHEET.lower()]
    if len(tables) == 1:
        return next(iter(tables.values()))
    raise FileRejected(f"{filename} has no sheet named {SHEET}")


def import_raid(
    session: Session, actor: Actor, *, programme_id: int, filename: str, data: bytes
) -> list[RaidItem]:
    """Check every row, then raise and change them all (each change in the ledger), or raise
    Invalid naming every problem by its row, having written nothing."""
    rows = table_rows(SHEET, _rows(filename, data), RAID_COLUMNS, REQUIRED)
    edits = [ItemEdit(str(row.row), row.values, text(row.values.get("code"))) for row in rows]
    plan = plan_items(session, actor, programme_id=programme_id, edits=edits)
    if plan.problems:
        problems = row_problems(plan, SHEET)
        if plan.refused:
            raise NotAllowed(f"{filename}: nothing was saved: {problems[0]}")
        raise Invalid(f"{filename}: nothing was saved: {count(len(problems), 'problem')}", problems)
    return apply_plan(session, actor, programme_id=programme_id, plan=plan)
