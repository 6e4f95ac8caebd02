"""`tracker users ...`: who may sign in and as what, and the sign-in record; the same services as
the admin page "Users and sign-ins"."""

import json

import typer

from tracker.cli.app import acting
from tracker.models import Role
from tracker.services.auth.sign_in import sign_in_events
from tracker.services.auth.users import parse_role, save_users, users_frame
from tracker.services.people.personal_data import find_person
from tracker.services.validation import RowEdit

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

users_app = typer.Typer(help="User accounts and sign-ins (admins).", no_args_is_help=True)
commands.add_typer(users_app, name="users")

ROLE_HELP = ", ".join(f"'{r.value}'" for r in Role)


@users_app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every account: person, organisation, role, whether it may sign in, last sign-in."""
    with acting() as (session, actor):
        frame = users_frame(session, actor)
    frame["last_sign_in"] = frame["last_sign_in"].map(
        lambda at: None if at is None or at != at else at.isoformat()
    )
    if as_json:
        typer.echo(json.dumps(frame.to_dict(orient="records"), indent=2, default=str))
    else:
        typer.echo(frame.drop(columns=["person_id"]).to_string(index=False))


@users_app.command("add")
def add_user(
    email: str = typer.Argument(..., help="The contact's email, as they sign in with it."),
    role: str = typer.Option(
        ..., help=f"One of {ROLE_HELP}, as `tracker users list` shows them (any case)."
    ),
) -> None:
    """Give an existing contact an account (add them as a contact first)."""
    with acting() as (session, actor):
        person = find_person(session, actor, who=email)
        save_users(session, actor, rows=[RowEdit(1, {"person_id": person.id, "role": role})])
    typer.echo(f"{email} may now sign in as {parse_role(role)}")


@users_app.command("events")
def events(limit: int = typer.Option(50, min=1, help="How many, newest first.")) -> None:
    """Recent sign-ins, sign-outs and refused identities."""
    with acting() as (session, actor):
        frame = sign_in_events(session, actor, limit=limit)
    typer.echo(frame.to_string(index=False) if len(frame) else "No sign-in events yet.")
