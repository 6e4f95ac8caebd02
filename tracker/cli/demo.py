"""`tracker demo`: load the fictional Marshland programme into an empty database."""

import typer

from tracker.cli.app import engine, operator_only
from tracker.demo.loader import is_empty, load_demo

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()


@commands.command("demo")
def demo(
    if_empty: bool = typer.Option(
        False,
        "--if-empty",
        help="On a database that already holds data, say so and exit 0 (make run).",
    ),
) -> None:
    """Load the demo programme into an empty database; never over what people have changed."""
    operator_only("demo")
    db = engine()
    if if_empty and not is_empty(db):
        typer.echo("database already holds data; demo not loaded")
        return
    result = load_demo(db)
    typer.echo(f"loaded {result.programme} with Jira sites {', '.join(result.jira_sites)}")
