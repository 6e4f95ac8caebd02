"""`tracker programme load FILE`: a council sets up its own programme from a file."""

from pathlib import Path

import typer

from tracker.cli.app import acting, operator_only
from tracker.services.programme.file import load_programme_file

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

programme_app = typer.Typer(help="A programme's set-up, from a file.", no_args_is_help=True)
commands.add_typer(programme_app, name="programme")


@programme_app.command("load")
def load(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A programme file like data/demo/programme.json."
    ),
    yes: bool = typer.Option(
        False,
        "--yes",
        help="Apply changes to the name, organisation, status or role of people who sign in.",
    ),
) -> None:
    """Create or update a programme, its organisations, people and deliverables (admins only).

    Idempotent: rows are matched by name, email and reference. The whole file is checked first;
    a file with any problem is rejected with every problem listed, and nothing is written.
    Changes to people who sign in are listed and written only with --yes; existing deliverables
    keep the stage, RAG and target date people set.
    """
    operator_only("programme load")
    with acting() as (session, actor):
        result = load_programme_file(session, actor, path=file, confirmed=yes)
    typer.echo(result.summary())
