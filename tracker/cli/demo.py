"""`tracker demo`: load the fictional Marshland programme."""

import typer

from tracker.cli.app import engine
from tracker.demo.loader import is_empty, load_demo

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()


@commands.command("demo")
def demo(
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Load only when the database holds no programme (make run)."
    ),
) -> None:
    """Load the demo programme (idempotent: twice leaves the same rows as once)."""
    db = engine()
    if if_empty and not is_empty(db):
        typer.echo("database already holds a programme; demo not loaded")
        return
    result = load_demo(db)
    typer.echo(f"loaded {result.programme} with Jira sites {', '.join(result.jira_sites)}")
