"""`tracker assurance check`: assurance gaps, blocked deliverables and accreditation expiries."""

import json
from datetime import datetime

import typer

from tracker.cli.app import acting
from tracker.cli.engagement import ON_OPTION
from tracker.services.assurance.check import assurance_report

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

assurance_app = typer.Typer(help="Supplier assurance.", no_args_is_help=True)
commands.add_typer(assurance_app, name="assurance")


@assurance_app.command("check")
def check(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    on: datetime | None = ON_OPTION,
) -> None:
    """Assurance gaps, blocks and accreditation expiries (exit 1 when anything is blocked).

    Gaps: what charities and suppliers lack for the deliverables they handle, blocked unless an
    admin overrode the gate. Expiries: accreditations expiring within 60 or 30 days, or expired
    and not renewed.
    """
    with acting() as (session, actor):
        report = assurance_report(session, actor, today=on.date() if on else None)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        typer.echo(f"Assurance on {report.today:%d %B %Y}")
        typer.echo(f"Blocked ({len(report.blocks)}):")
        for row in report.blocks.itertuples():
            typer.echo(f"  {row.ref}: {row.organisation} ({row.relationship}) lacks {row.missing}")
        overridden = report.gaps[report.gaps["decision"] == "overridden"]
        typer.echo(f"Overridden by an admin ({len(overridden)}):")
        for row in overridden.itertuples():
            typer.echo(f"  {row.ref}: {row.organisation} lacks {row.missing}")
            typer.echo(f"    reason: {row.override_reason}")
        typer.echo(f"Expiring or expired ({len(report.expiries)}):")
        for row in report.expiries.itertuples():
            typer.echo(
                f"  {row.organisation}: {row.scheme} {row.certificate_ref or ''} "
                f"{row.status}, on {row.expires_on:%d %b %Y} ({row.days_left} days)"
            )
    if len(report.blocks):
        raise typer.Exit(1)
