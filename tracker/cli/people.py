"""`tracker contacts ...` and `tracker person ...`: the contact files and UK GDPR requests."""

import json
from pathlib import Path

import typer

from tracker.cli.app import acting
from tracker.services.people.exchange import Table, export_file, import_file
from tracker.services.people.personal_data import erase_person, export_person, find_person

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

contacts_app = typer.Typer(
    help="Contacts and engagement maps as CSV or Excel.", no_args_is_help=True
)
person_app = typer.Typer(help="Personal data requests about one person.", no_args_is_help=True)
commands.add_typer(contacts_app, name="contacts")
commands.add_typer(person_app, name="person")


@contacts_app.command("import")
def import_contacts(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .xlsx file."),
    yes: bool = typer.Option(
        False,
        "--yes",
        help="Apply changes to the email, name, organisation or status of people who sign in.",
    ),
) -> None:
    """Import contacts and/or engagements, all or nothing.

    Every row is checked first; a file with any bad row is rejected with each bad row numbered,
    and nothing is written. A row that changes the email, name, organisation or status of someone
    who signs in is listed and nothing is written unless --yes confirms them (an email change
    moves their sign-in).
    """
    with acting() as (session, actor):
        counts = import_file(
            session, actor, filename=file.name, data=file.read_bytes(), confirmed=yes
        )
    typer.echo(", ".join(f"{n} {table.value.lower()} rows" for table, n in counts.items()))


@contacts_app.command("export")
def export_contacts(
    file: Path = typer.Argument(..., dir_okay=False, help="A .csv or .xlsx file to write."),
    table: Table = typer.Option(
        Table.contacts, "--table", case_sensitive=False, help="Which table a CSV file holds."
    ),
) -> None:
    """Export contacts and engagements (an .xlsx gets both sheets; a .csv gets --table)."""
    with acting() as (session, actor):
        data = export_file(session, actor, filename=file.name, table=table)
    file.write_bytes(data)
    typer.echo(f"wrote {file}")


@person_app.command("export")
def export(
    who: str = typer.Argument(
        ..., metavar="EMAIL", help="Their email, or the id of an erased person."
    ),
) -> None:
    """Print everything tracker holds about one person, as JSON (a subject access request)."""
    with acting() as (session, actor):
        data = export_person(session, actor, person_id=find_person(session, actor, who=who).id or 0)
    typer.echo(json.dumps(data, indent=2))


@person_app.command("erase")
def erase(
    who: str = typer.Argument(..., metavar="EMAIL", help="Their email, or their person id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Erase a person's details (UK GDPR), keeping history consistent.

    Their details become a placeholder, everything that refers to them keeps pointing at the same
    id, and their sign-in is deactivated.
    """
    with acting() as (session, actor):
        person = find_person(session, actor, who=who)
        if not yes:
            typer.confirm(
                f"Erase {person.name} (person {person.id})? This cannot be undone", abort=True
            )
        erased = erase_person(session, actor, person_id=person.id or 0)
    typer.echo(f"erased person {erased.id}; they now appear as '{erased.name}'")
