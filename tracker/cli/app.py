"""The root `tracker` command; each tracker/cli module adds its own commands to it."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.db import check_connection, get_engine, session_scope
from tracker.errors import TrackerError
from tracker.migrate import ensure_current
from tracker.models import Role
from tracker.policy import Actor
from tracker.services.auth.users import actor_for_email

app = typer.Typer(
    help="tracker: programme governance for councils that share services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

#: The operator at the command line: they already hold the database, so they act as an admin
#: unless --as names a user whose view they want (a supplier's export, say).
OPERATOR = Actor(
    user_id=0,
    person_id=0,
    name="command line",
    role=Role.admin,
    organisation_id=0,
    organisation_name="operator",
)

_state: dict[str, str | None] = {"as": None}


@app.callback()
def _root(
    act_as: str | None = typer.Option(
        None, "--as", metavar="EMAIL", help="Act as this user (default: operator, an admin)."
    ),
) -> None:
    _state["as"] = act_as


def set_acting_as(email: str) -> None:
    """A command's own --as (`tracker needs-me --as EMAIL`), the same as the root option."""
    _state["as"] = email


def engine(schema: bool = True) -> Engine:
    """The configured engine, checked (reachable and, unless `schema` is False, migrated), so a
    bad DATABASE_URL or a database never upgraded is one line, not a traceback."""
    result = get_engine()
    check_connection(result)
    if schema:
        ensure_current(result)
    return result


@contextmanager
def acting() -> Iterator[tuple[Session, Actor]]:
    """A session and the actor for a command: all-or-nothing, like every write here."""
    with session_scope(engine()) as session:
        email = _state["as"]
        yield session, actor_for_email(session, email) if email else OPERATOR


@contextmanager
def acting_or_fail() -> Iterator[tuple[Session, Actor]]:
    """acting(), with expected failures ending the command as one line and exit 1, also when
    the command is invoked in-process (typer's CliRunner) rather than through run()."""
    try:
        with acting() as (session, actor):
            yield session, actor
    except TrackerError as exc:
        raise fail(str(exc)) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def run() -> None:
    try:
        app()
    except TrackerError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
