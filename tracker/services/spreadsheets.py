"""Tables to and from CSV and Excel files, and cells made inert on the way out.

Every import reads through `read_tables` and `table_rows` (the format chosen by the file's
extension, headers matched ignoring case and spaces, an unknown or missing column refused with the
columns expected, rows numbered as the spreadsheet numbers them: the header is row 1) and every
export writes through `write_tables`.

Every CSV and Excel export passes its tables through `inert`.

Contacts, engagements, criteria and Jira summaries are typed by people, and a spreadsheet runs a
cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula:
`=HYPERLINK(...)` in a contact's name would run on every colleague who opens the export. The
OWASP remedy is an apostrophe in front, which shows the text as it was typed. Imports take that
apostrophe off again, so a file exported and loaded back (a phone "+44 ...") is unchanged.
"""

import io
import zipfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import PurePath
from typing import Any

import pandas as pd

from tracker.errors import Invalid
from tracker.services.validation import RowEdit, RowProblem, RowsRejected, blank

FORMATS = (".csv", ".xlsx")
#: the largest file accepted, here and by the app's uploader (`.streamlit/config.toml`)
MAX_FILE_MB = 5
#: rows per table: a programme's contacts, engagements and RAID items are hundreds, not tens of
#: thousands
MAX_ROWS = 10_000
#: an .xlsx is a zip of about a dozen XML files; a workbook of MAX_ROWS rows expands to a few MB
#: at under 20:1. Anything far beyond is a decompression bomb, refused before it is parsed.
MAX_ENTRIES = 100
MAX_EXPANDED_MB = 30
MAX_RATIO = 100
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def inert(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell a spreadsheet would run as a formula quoted."""

    def cell(value: object) -> object:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return QUOTE + value
        return value

    return frame.map(cell)


def restored(value: Any) -> Any:
    """An imported cell without the apostrophe `inert` put in front of it."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class FileRejected(Invalid):
    """The file cannot be read as the table(s) expected; nothing was saved."""


def file_format(filename: str) -> str:
    """'.csv' or '.xlsx', from the file's name; anything else is refused."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        raise FileRejected(f"{filename}: use a .csv or .xlsx file")
    return suffix


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


def read_tables(filename: str, data: bytes) -> dict[str, pd.DataFrame]:
    """Every cell as text: a CSV file's one table (named ""), or each sheet of a workbook by its
    name in lower case. Size, archive and row limits are checked before and while parsing, so a
    hostile file costs well under a second."""
    suffix = file_format(filename)
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
            return {"": frame}
        _check_archive(filename, data)
        sheets = pd.read_excel(
            io.BytesIO(data), sheet_name=None, dtype=str, engine="openpyxl", nrows=MAX_ROWS + 1
        )
    except FileRejected:
        raise
    except (ValueError, UnicodeDecodeError, OSError, zipfile.BadZipFile, KeyError) as exc:
        raise FileRejected(f"{filename} cannot be read: {exc}") from None
    _check_rows(filename, list(sheets.values()))
    return {name.strip().lower(): frame for name, frame in sheets.items()}


def header(frame: pd.DataFrame) -> set[str]:
    """The frame's column names as table_rows matches them."""
    return {_column(c) for c in frame.columns}


def _column(name: object) -> str:
    return str(name).strip().lower().replace(" ", "_")


def table_rows(
    table: str, frame: pd.DataFrame, columns: Sequence[str], required: Collection[str]
) -> list[RowEdit]:
    """The non-blank rows of a table, numbered as the spreadsheet numbers them, with quoted
    formulas restored; a column not in `columns`, or a `required` one missing, rejects it."""
    frame = frame.rename(columns=_column)
    unknown = [c for c in frame.columns if c not in columns]
    missing = sorted(set(required) - set(frame.columns))
    if unknown or missing:
        said = [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        said += [f"missing column(s) {', '.join(missing)}"] if missing else []
        raise FileRejected(f"{table}: {'; '.join(said)} (columns: {', '.join(columns)})")
    rows = [
        RowEdit(row=i + 2, values={k: restored(v) for k, v in values.items()})
        for i, values in enumerate(frame.to_dict("records"))
        if not all(blank(v) for v in values.values())
    ]
    # PostgreSQL cannot store a NUL character (SQLite would keep it silently): refused here, by
    # row and column and never by value, so the message holds nobody's personal data
    nul = [
        RowProblem(
            table, row.row, f"{column} contains a NUL character (byte 0), which cannot be stored"
        )
        for row in rows
        for column, value in row.values.items()
        if isinstance(value, str) and "\x00" in value
    ]
    if nul:
        raise RowsRejected(nul)
    return rows


def write_tables(filename: str, tables: Mapping[str, pd.DataFrame], csv_table: str) -> bytes:
    """A CSV of the table `csv_table`, or an Excel workbook with a sheet per table; inert."""
    if file_format(filename) == ".csv":
        return inert(tables[csv_table]).to_csv(index=False).encode("utf-8")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in tables.items():
            inert(frame).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()
