"""ASVS probe finding 13: an admin import silently changed an existing user's email, name or
organisation.

A contacts file row matches a person by email, or by name within an organisation, and updates
them; for someone who signs in, that quietly renamed them, moved them to another organisation or,
worst, moved their sign-in to a new address. Such changes are now listed, each with its row, and
written only when confirmed (`--yes`); without it nothing is written and the command exits 1.
`tracker programme load` imports users too (its people, with roles): the same holds there, and a
reload never quietly lets a switched-off account sign in again.
"""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from tests.support.roles import SUPPLIER
from tracker.cli import app
from tracker.config import DATA_DIR
from tracker.models import Organisation, Person, User
from tracker.policy import OPERATOR
from tracker.services.people.contacts import save_contacts
from tracker.services.people.exchange import account_changes, import_file
from tracker.services.validation import RowEdit, RowsRejected, Unconfirmed

pytestmark = pytest.mark.db

HEADER = "name,job_title,organisation,email,phone,status\n"
#: Karen Stokes signs in (a supplier contact); found by name, her email changed
NEW_EMAIL = "Karen Stokes,Account Director,Ledgerline Systems Ltd,k.stokes@ledgerline.example,,\n"
#: Tom Hargreaves signs in (a project owner); found by email, renamed and moved
MOVED = (
    "Tom Hargreave,Head of Revenues,Eastvale Borough Council,tom.hargreaves@northmoor.gov.uk,,\n"
)
#: Gareth Lewis is a contact without an account: updating him needs no confirmation
NO_ACCOUNT = (
    "Gareth Lewis,Council Tax Lead,Eastvale Borough Council,gareth.lewis@eastvale.gov.uk,,\n"
)
#: a new contact
NEW = "Nia Evans,Analyst,Eastvale Borough Council,nia.evans@eastvale.gov.uk,,\n"


@pytest.fixture
def tracker(demo_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def _file(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


def _person(engine: Engine, email: str) -> tuple[str, str | None, str]:
    with Session(engine) as session:
        person, organisation = session.exec(
            select(Person, Organisation.name)
            .join(Organisation, Organisation.id == Person.organisation_id)
            .where(Person.email.ilike(email))  # type: ignore[union-attr]
        ).one()
        return person.name, person.email, organisation


def test_without_yes_the_changes_are_listed_and_nothing_is_written(
    tracker: Callable[..., Result], demo_engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path, NEW, NEW_EMAIL, NO_ACCOUNT, MOVED)

    result = tracker("contacts", "import", path)

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "error: contacts.csv: nothing was written: it changes 2 people who sign in to tracker "
        "(an email change moves their sign-in to the new address); check each and confirm to "
        "apply (tracker contacts import --yes)"
    )
    assert lines[1:] == [
        "  Contacts row 3: Karen Stokes (karen.stokes@ledgerline.co.uk) signs in: email "
        "karen.stokes@ledgerline.co.uk to k.stokes@ledgerline.example",
        "  Contacts row 5: Tom Hargreaves (tom.hargreaves@northmoor.gov.uk) signs in: name Tom "
        "Hargreaves to Tom Hargreave; organisation Northmoor District Council to Eastvale "
        "Borough Council",
    ]
    assert _person(demo_engine, SUPPLIER) == (
        "Karen Stokes",
        SUPPLIER,
        "Ledgerline Systems Ltd",
    )
    assert _person(demo_engine, "tom.hargreaves@northmoor.gov.uk")[2] == (
        "Northmoor District Council"
    )
    with Session(demo_engine) as session:
        assert not session.exec(
            select(Person).where(Person.email == "nia.evans@eastvale.gov.uk")
        ).first()


def test_with_yes_they_are_written(
    tracker: Callable[..., Result], demo_engine: Engine, tmp_path: Path
) -> None:
    result = tracker("contacts", "import", _file(tmp_path, NEW_EMAIL, MOVED), "--yes")

    assert result.exit_code == 0, result.output
    assert _person(demo_engine, "k.stokes@ledgerline.example")[0] == "Karen Stokes"
    assert _person(demo_engine, "tom.hargreaves@northmoor.gov.uk") == (
        "Tom Hargreave",
        "tom.hargreaves@northmoor.gov.uk",
        "Eastvale Borough Council",
    )


def test_rows_that_change_nobody_who_signs_in_need_no_confirmation(
    tracker: Callable[..., Result], demo_engine: Engine, tmp_path: Path
) -> None:
    unchanged_user = (
        "Karen Stokes,Account Director,Ledgerline Systems Ltd,karen.stokes@ledgerline.co.uk,,\n"
    )
    result = tracker("contacts", "import", _file(tmp_path, NEW, NO_ACCOUNT, unchanged_user))

    assert result.exit_code == 0, result.output
    assert _person(demo_engine, "nia.evans@eastvale.gov.uk")[0] == "Nia Evans"


def test_the_service_refuses_unconfirmed_and_the_page_can_list_first(
    demo_engine: Engine,
) -> None:
    """The Contacts page lists the changes (account_changes) and passes its tick box on."""
    data = (HEADER + NEW_EMAIL).encode()
    with Session(demo_engine) as session:
        listed = account_changes(session, OPERATOR, filename="contacts.csv", data=data)
        with pytest.raises(Unconfirmed) as refused:
            import_file(session, OPERATOR, filename="contacts.csv", data=data)
        session.rollback()
    assert listed == [str(change) for change in refused.value.changes]
    assert len(listed) == 1 and "email karen.stokes@ledgerline.co.uk to" in listed[0]


def _programme_file(tmp_path: Path, change: Callable[[dict], None]) -> str:
    data = json.loads((DATA_DIR / "demo" / "programme.json").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _index(data: dict, email: str) -> int:
    return next(i for i, p in enumerate(data["people"]) if p["email"] == email)


def test_programme_load_lists_changes_to_people_who_sign_in(
    tracker: Callable[..., Result], demo_engine: Engine, tmp_path: Path
) -> None:
    """The programme file's people are an import of users too: renaming, moving or promoting
    someone who signs in needs --yes."""

    def change(data: dict) -> None:
        tom = data["people"][_index(data, "tom.hargreaves@northmoor.gov.uk")]
        tom["role"], tom["organisation"] = "admin", "Eastvale Borough Council"
        data["people"][_index(data, SUPPLIER)]["name"] = "Karen Stokes-Hill"

    path = _programme_file(tmp_path, change)
    refused = tracker("programme", "load", path)

    assert refused.exit_code == 1
    lines = refused.stderr.strip().splitlines()
    assert lines[0] == (
        f"error: {path}: nothing was written: it changes 2 people who sign in to tracker; check "
        "each and confirm to apply (tracker programme load --yes)"
    )
    assert sorted(line.split(": ", 1)[1] for line in lines[1:]) == [
        "Karen Stokes (karen.stokes@ledgerline.co.uk) signs in: name Karen Stokes to Karen "
        "Stokes-Hill",
        "Tom Hargreaves (tom.hargreaves@northmoor.gov.uk) signs in: organisation Northmoor "
        "District Council to Eastvale Borough Council; role project owner to admin",
    ]
    assert _person(demo_engine, "tom.hargreaves@northmoor.gov.uk")[2] == (
        "Northmoor District Council"
    )
    assert _person(demo_engine, SUPPLIER)[0] == "Karen Stokes"

    confirmed = tracker("programme", "load", path, "--yes")
    assert confirmed.exit_code == 0, confirmed.output
    assert _person(demo_engine, SUPPLIER)[0] == "Karen Stokes-Hill"


def test_programme_load_never_quietly_lets_a_switched_off_user_back(
    tracker: Callable[..., Result], demo_engine: Engine
) -> None:
    with Session(demo_engine) as session:
        karen = session.exec(select(Person).where(Person.email == SUPPLIER)).one()
        karen_id = karen.id
        account = session.exec(select(User).where(User.person_id == karen_id)).one()
        account.active = False
        session.add(account)
        session.commit()

    refused = tracker("programme", "load", str(DATA_DIR / "demo" / "programme.json"))

    assert refused.exit_code == 1
    assert (
        "Karen Stokes (karen.stokes@ledgerline.co.uk) signs in: account switched off to may "
        "sign in" in refused.stderr
    )
    with Session(demo_engine) as session:
        assert not session.exec(select(User.active).where(User.person_id == karen_id)).one()


def test_a_new_row_in_the_contacts_editor_never_changes_someone_who_signs_in(
    demo_engine: Engine,
) -> None:
    """The Contacts page's editor: a row added (no id) with a user's email would otherwise update
    them unseen; it is refused, and their own row is where they change."""
    row = {"name": "K Stokes", "organisation": "Ledgerline Systems Ltd", "email": SUPPLIER}
    with Session(demo_engine) as session, pytest.raises(RowsRejected) as refused:
        save_contacts(session, OPERATOR, rows=[RowEdit(7, row)])
    assert [str(p) for p in refused.value.problems] == [
        "Contacts row 7: Karen Stokes (karen.stokes@ledgerline.co.uk) signs in: name Karen Stokes "
        "to K Stokes: change them in their own row, not a new one"
    ]
    assert _person(demo_engine, SUPPLIER)[0] == "Karen Stokes"
