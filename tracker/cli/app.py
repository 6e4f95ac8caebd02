"""The root `tracker` command, and which module holds each of its commands.

A command module is imported only when one of its commands runs (`COMMANDS` names the module and
gives the line `tracker --help` shows), and this module imports the database, the models and the
services only inside the functions that need them, so `tracker --help` starts in about the time it
takes to import typer, and each command loads only what it uses: no pandas to upgrade the
database, no Jira client for a report.

Exit codes are decided here, once, for every command: 0 done; 1 refused or invalid (any
TrackerError, printed as `error: ...` on stderr, one indented line below it per problem; also
a check that found something wrong, such as `tracker audit verify`); 2 a usage error (an
unknown option, a missing argument: typer's own message). Commands raise TrackerErrors and never
catch them to print.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from tracker.errors import NotAllowed, TrackerError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from tracker.policy import Actor


@dataclass(frozen=True)
class Entry:
    """A top-level command: the module defining it (on its own `commands` Typer), its summary
    (the first line of its help), and any modules adding sub-commands to it."""

    module: str
    summary: str
    extended_by: tuple[str, ...] = ()


COMMANDS: dict[str, Entry] = {
    "db": Entry("tracker.cli.db", "Database schema."),
    "demo": Entry(
        "tracker.cli.demo",
        "Load the demo programme into an empty database; never over what people have changed.",
    ),
    "programme": Entry("tracker.cli.programme", "A programme's set-up, from a file."),
    "site": Entry(
        "tracker.cli.jira", "Jira sites: where they are and whose credentials reach them."
    ),
    "sync": Entry(
        "tracker.cli.jira",
        "Bring synced boards up to date from Jira (incrementally unless --full).",
    ),
    "import-jira": Entry(
        "tracker.cli.jira",
        "Load a site's Jira data from files (for councils without API access); all or nothing.",
    ),
    "report": Entry(
        "tracker.cli.report",
        "Sprint, velocity and programme reports, as on the delivery pages.",
        extended_by=("tracker.cli.board",),
    ),
    "deliverable": Entry("tracker.cli.deliverable", "A deliverable's stage, RAG and target date."),
    "criteria": Entry("tracker.cli.acceptance", "Acceptance criteria."),
    "engage": Entry(
        "tracker.cli.engagement", "Whom to engage on a deliverable now, in order, with the gaps."
    ),
    "assurance": Entry("tracker.cli.assurance", "Supplier assurance."),
    "contacts": Entry("tracker.cli.people", "Contacts and engagement maps as CSV or Excel."),
    "person": Entry("tracker.cli.people", "Personal data requests about one person."),
    "needs-me": Entry(
        "tracker.cli.needs_me",
        "What needs this person now: a project owner's queries to answer, evidence to accept and "
        "criteria waiting on suppliers; a supplier contact's criteria to confirm, evidence "
        "requested and open queries; an admin's expiring accreditations, blocked gates and people "
        "waiting for an account.",
    ),
    "raid": Entry("tracker.cli.raid", "The RAID log: risks, assumptions and issues."),
    "decision": Entry("tracker.cli.raid", "The decision log."),
    "deps": Entry(
        "tracker.cli.raid",
        "Who waits on whom: every open dependency (declared, and Jira's blocking links between "
        "deliverables), worst first, with its health and why, and any cycle.",
    ),
    "board": Entry(
        "tracker.cli.board", "The board pack's thresholds, owners' notes and published reports."
    ),
    "notify": Entry(
        "tracker.cli.notify",
        "Email notifications: send what is due, the daily digest, what was sent, previews.",
    ),
    "users": Entry("tracker.cli.users", "User accounts and sign-ins (admins)."),
    "audit": Entry("tracker.cli.audit", "The audit ledger."),
    "serve": Entry(
        "tracker.cli.serve",
        "Start the dashboard; any further options are `streamlit run`'s.",
    ),
}


@cache
def command(name: str) -> typer.core.TyperCommand | TyperGroup:
    """The command `tracker NAME ...` runs, from its module (imported now)."""
    entry = COMMANDS[name]
    module = importlib.import_module(entry.module)
    for extension in entry.extended_by:
        importlib.import_module(extension)
    if not gc.isenabled():
        # tracker.cli.main paused the collector for start-up: what the modules built lives as
        # long as the process, so no later collection need examine it either
        gc.freeze()
        gc.enable()
    return typer.main.get_group(module.commands).commands[name]  # type: ignore[return-value]


class _Commands(TyperGroup):
    """The root group. Every command is listed by its summary; its module is imported only when
    the command is resolved to run (or to complete or show its own help)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, entry in COMMANDS.items():
            self.commands[name] = TyperCommand(name, help=entry.summary)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, found, rest = super().resolve_command(ctx, args)
        return name, command(name) if name in COMMANDS else found, rest

    def invoke(self, ctx: Any) -> Any:
        """Every command runs inside this, so an expected failure from any of them, in a process
        or under typer's CliRunner, ends the same way: one `error:` line and exit 1."""
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Commands,
    help="tracker: programme governance for councils that share services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@cache
def operator_actor() -> Actor:
    """The operator at the command line: they already hold the database, so they act as an admin
    unless --as names a user whose view they want (a supplier's export, say). Imported when first
    needed, so `tracker --help` loads no policy or models."""
    from tracker.policy import OPERATOR

    return OPERATOR


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


def operator_only(command: str) -> None:
    """Refuse --as on a set-up command (`db upgrade`, `demo`, `programme load`, `site add`,
    `site blocks`, `import-jira`): they act on the whole database as the operator who holds it,
    so --as would not limit what they do, only seem to. Call it before anything is read."""
    if _state["as"]:
        raise NotAllowed(
            f"`tracker {command}` is a set-up command for the operator who holds the database: "
            f"run it without --as (it was given --as {_state['as']})."
        )


def engine(schema: bool = True) -> Engine:
    """The configured engine, checked (reachable and, unless `schema` is False, migrated), so a
    bad DATABASE_URL or a database never upgraded is one line, not a traceback."""
    from tracker.db import check_connection, get_engine
    from tracker.migrate import ensure_current

    result = get_engine()
    check_connection(result)
    if schema:
        ensure_current(result)
    return result


@contextmanager
def acting() -> Iterator[tuple[Session, Actor]]:
    """A session and the actor for a command: all-or-nothing, like every write here."""
    from tracker.db import session_scope

    with session_scope(engine()) as session:
        email = _state["as"]
        yield session, _actor_for(session, email) if email else operator_actor()


def _actor_for(session: Session, email: str) -> Actor:
    """The user --as names (the user services imported only then: most commands run as the
    operator)."""
    from tracker.services.auth.users import actor_for_email

    return actor_for_email(session, email)


def current_actor() -> Actor:
    """The acting user, without holding a session open through a long job."""
    with acting() as (_, actor):
        return actor


def usage(message: str) -> typer.Exit:
    """A usage error typer cannot see (options that only clash together, a malformed NAME=VALUE):
    the `error:` line, and exit 2 like typer's own. Raise what it returns."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def fail(message: str) -> typer.Exit:
    """For a command whose result is a failure rather than a refusal (a check that found
    something, a sync or a delivery that did not complete): the same `error:` line and exit 1 as
    any TrackerError. Raise what it returns."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)
