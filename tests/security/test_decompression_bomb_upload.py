"""ASVS probe finding 4: a decompression bomb in the contacts import.

A 782 KB .xlsx took 79 s and 1.4 GB of memory before it was rejected, and the Contacts page's
upload uses the same code. The archive is now checked (entries, declared sizes, compression
ratio) before anything parses it, files and row counts are capped, and the refusal is one clear
sentence, well under a second. The app refuses larger uploads itself (Streamlit's config).
"""

import io
import time
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tracker.services.people.exchange import read_file
from tracker.services.spreadsheets import MAX_FILE_MB, MAX_ROWS, FileRejected

ROOT = Path(__file__).resolve().parents[2]
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid Contacts workbook whose sheet expands from about 600 KB to 200 MB of rows."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Contacts"
    packed = io.BytesIO()
    workbook.save(packed)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(packed) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
    ):
        for entry in source.infolist():
            if entry.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(entry, source.read(entry))
                continue
            with archive.open(entry.filename, "w", force_zip64=True) as sheet:
                sheet.write(SHEET_START)
                row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
                for _ in range(200_000_000 // len(row)):
                    sheet.write(row)
                sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _refused_quickly(filename: str, data: bytes) -> str:
    started = time.perf_counter()
    with pytest.raises(FileRejected) as refused:
        read_file(filename, data)
    assert time.perf_counter() - started < 0.5
    message = str(refused.value)
    assert "\n" not in message and message.startswith(filename)
    return message


def test_a_bomb_is_refused_before_parsing(bomb: bytes) -> None:
    assert len(bomb) < 1_000_000
    message = _refused_quickly("contacts.xlsx", bomb)
    assert "expands" in message


def test_an_archive_of_many_entries_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(5_000):
            archive.writestr(f"xl/media/{n}.xml", b"")
    assert "entries" in _refused_quickly("contacts.xlsx", buffer.getvalue())


def test_a_file_over_the_upload_limit_is_refused() -> None:
    data = b"name,organisation\n" + b"x" * (MAX_FILE_MB * 1024 * 1024)
    assert f"{MAX_FILE_MB} MB" in _refused_quickly("contacts.csv", data)


def test_more_rows_than_the_cap_are_refused_in_csv_and_excel() -> None:
    csv = b"name,organisation\n" + b"A Person,Open Door Advice\n" * (MAX_ROWS + 1)
    assert f"more than {MAX_ROWS:,} rows" in _refused_quickly("contacts.csv", csv)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(["name", "organisation"])
    for _ in range(MAX_ROWS + 1):
        sheet.append(["A Person", "Open Door Advice"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(FileRejected, match=f"more than {MAX_ROWS:,} rows"):
        read_file("contacts.xlsx", buffer.getvalue())


def test_a_file_within_the_limits_is_read() -> None:
    rows = read_file("contacts.csv", b"name,organisation\nA Person,Open Door Advice\n")
    assert [edit.values["name"] for edit in next(iter(rows.values()))] == ["A Person"]


def test_the_app_refuses_uploads_over_the_same_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB
