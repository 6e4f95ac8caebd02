"""ASVS probe finding 8: tracebacks instead of clear errors, one of them printing personal data.

Nothing was written in any of these, but each printed a Python traceback: an .xlsx that is not a
zip; a 5,000-digit number, deep nesting or a null ref in a programme file; a huge id, Latin-1
bytes or a file instead of a folder in `import-jira`; a NUL byte on PostgreSQL, whose traceback
quoted a contact's name and email. Each is now one clear line naming the place, exit 1, with no
personal data in it.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.support.cli import run_tracker
from tracker.config import DATA_DIR
from tracker.db import create_tracker_engine

NORTHMOOR = DATA_DIR / "demo" / "jira" / "northmoor"
NAME, EMAIL = "Zed Quixote", "zed.quixote@opendooradvice.org.uk"


@pytest.fixture
def fresh(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    assert run_tracker("db", "upgrade", env=env).returncode == 0
    return env


def _one_clear_line(result, *place: str) -> str:
    assert result.returncode != 0, result.stdout  # which code: tracker.cli.app.run (exit codes)
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr  # a headline, at most one problem below it
    for words in place:
        assert words in result.stderr, result.stderr
    return result.stderr


def _programme(tmp_path: Path, body: str) -> str:
    path = tmp_path / "programme.json"
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_an_xlsx_that_is_not_a_zip(fresh, tmp_path: Path) -> None:
    book = tmp_path / "contacts.xlsx"
    book.write_text("name,organisation\nA,B\n")
    result = run_tracker("contacts", "import", str(book), env=fresh)
    _one_clear_line(result, "contacts.xlsx", "not an Excel workbook")


def test_a_five_thousand_digit_number_in_a_programme_file(fresh, tmp_path: Path) -> None:
    body = '{"programme": {"name": "X"},\n "deliverables": [{"ref": ' + "9" * 5000 + "}]}"
    result = run_tracker("programme", "load", _programme(tmp_path, body), env=fresh)
    _one_clear_line(result, "line 2, column 27", "5,000 digits")


def test_deep_nesting_in_a_programme_file(fresh, tmp_path: Path) -> None:
    body = '{"programme": {"name": "X"}, "people": ' + "[" * 100_000 + "]" * 100_000 + "}"
    result = run_tracker("programme", "load", _programme(tmp_path, body), env=fresh)
    _one_clear_line(result, "line 1, column", "nested")


def test_a_null_ref_in_a_programme_file(fresh, tmp_path: Path) -> None:
    programme = {
        "programme": {"name": "X"},
        "organisations": [{"name": "Fen Council", "kind": "council"}],
        "deliverables": [{"ref": None, "title": "T", "owner": "Fen Council", "stage": "Alpha"}],
    }
    result = run_tracker(
        "programme", "load", _programme(tmp_path, json.dumps(programme)), env=fresh
    )
    _one_clear_line(result, "deliverables[0].ref: expected a non-empty string")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copied = tmp_path / "northmoor"
    shutil.copytree(NORTHMOOR, copied)
    return copied


def test_a_file_instead_of_a_folder_for_import_jira(fresh, site: Path) -> None:
    result = run_tracker("import-jira", str(site / "site.json"), env=fresh)
    _one_clear_line(result, "site.json", "not a folder")


def test_latin1_bytes_in_a_saved_jira_file(fresh, site: Path) -> None:
    saved = site / "site.json"
    saved.write_bytes(saved.read_text().replace("northmoor", "northmoor café", 1).encode("latin-1"))
    result = run_tracker("import-jira", str(site), env=fresh)
    _one_clear_line(result, "site.json", "UTF-8")


def test_a_huge_id_in_a_saved_jira_file(fresh, site: Path) -> None:
    sprints = site / "boards" / "1" / "sprints.json"
    saved = json.loads(sprints.read_text())
    saved["values"][0]["id"] = 10**30
    sprints.write_text(json.dumps(saved))
    result = run_tracker("import-jira", str(site), env=fresh)
    _one_clear_line(result, "sprint", str(10**30), "id")
    with create_engine(fresh["DATABASE_URL"]).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jira_issue")).scalar() == 0


@pytest.mark.db
def test_a_nul_byte_is_one_line_without_personal_data(demo_engine: Engine, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": demo_engine.url.render_as_string(hide_password=False)}
    people = tmp_path / "people.csv"
    people.write_text(
        f"name,job_title,organisation,email\n{NAME},Adviser\x00,Open Door Advice,{EMAIL}\n"
    )
    result = run_tracker("contacts", "import", str(people), env=env)
    message = _one_clear_line(result, "row 2", "job_title")
    assert NAME not in message and EMAIL not in message and "zed" not in message.lower()
    with demo_engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM person WHERE email = :e"), {"e": EMAIL}
            ).scalar()
            == 0
        )


def test_database_errors_never_quote_the_values(tmp_path: Path) -> None:
    """An unexpected failure's text reaches logs and terminals: it names the statement only."""
    engine = create_tracker_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE person (email TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO person VALUES (:e)"), {"e": EMAIL})
    with pytest.raises(DBAPIError) as failed, engine.begin() as conn:
        conn.execute(text("INSERT INTO person VALUES (:e)"), {"e": EMAIL})
    assert EMAIL not in str(failed.value)
