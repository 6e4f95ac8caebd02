"""`tracker db ...`: schema migrations."""

import typer

from tracker import migrate
from tracker.cli.app import engine, operator_only

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
commands.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply every pending migration (safe to run on every start)."""
    operator_only("db upgrade")
    migrate.upgrade(engine(schema=False), revision)
    typer.echo(f"database at {revision}")
