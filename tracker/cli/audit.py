"""`tracker audit verify`: prove the audit ledger has not been rewritten."""

import typer

from tracker.cli.app import acting, fail
from tracker.services.audit import verify_ledger

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

audit_app = typer.Typer(help="The audit ledger.", no_args_is_help=True)
commands.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify() -> None:
    """Check every entry's hash and link, and the rows the ledger vouches for; name the first
    broken entry and exit 1 if any. Note the head hash: it proves later that nothing was cut off
    the end."""
    with acting() as (session, actor):
        check = verify_ledger(session, actor)
    if check.intact:
        typer.echo(check.summary())
        return
    error = fail(f"audit ledger broken at {check.problems[0]}")
    for problem in check.problems[1:]:
        typer.echo(f"also: {problem}", err=True)
    raise error
