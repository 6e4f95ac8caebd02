"""`tracker needs-me`: what is waiting on one person, as on the "What needs me" page."""

import json

import typer

from tracker.cli.app import acting, set_acting_as
from tracker.errors import count
from tracker.services.programme.needs_me import needs_me

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()


@commands.command("needs-me")
def needs_me_command(
    act_as: str | None = typer.Option(
        None, "--as", metavar="EMAIL", help="Whose work to list (default: the operator, an admin)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """What needs this person now: a project owner's queries to answer, evidence to accept and
    criteria waiting on suppliers; a supplier contact's criteria to confirm, evidence requested
    and open queries; an admin's expiring accreditations, blocked gates and people waiting for an
    account."""
    if act_as:
        set_acting_as(act_as)
    with acting() as (session, actor):
        found = needs_me(session, actor)
    if as_json:
        typer.echo(json.dumps({"who": actor.label, **found.to_json()}, indent=2))
        return
    if not found.sections:
        typer.echo(
            f"{actor.label}: nothing here is yours to act on; your role reads the programme."
        )
        return
    typer.echo(f"What needs {actor.label}: {count(found.total, 'item')}")
    for section in found.sections:
        if section.items.empty:
            typer.echo(f"\n{section.heading}: none. {section.empty}")
            continue
        typer.echo(f"\n{section.heading} ({len(section.items)})")
        for row in section.items.itertuples():
            flag = "OVERDUE  " if row.overdue else ""
            typer.echo(f"  {flag}{row.ref}  {row.item}")
            typer.echo(f"      {row.detail}")
