"""`tracker engage`: whom to engage on a deliverable now, in order, with the gaps."""

import json
from datetime import datetime

import pandas as pd
import typer

from tracker.cli.app import acting
from tracker.services.engagement.now import who_to_engage
from tracker.services.lookups import deliverable_by_ref

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

ON_OPTION = typer.Option(
    None, "--on", formats=["%Y-%m-%d"], help="Judge accreditations as on this day (default today)."
)


@commands.command("engage")
def engage(
    deliverable: str = typer.Option(..., "--deliverable", metavar="REF", help="e.g. RB-01"),
    stage: str | None = typer.Option(
        None, "--stage", metavar="NAME", help="A stage (default: the deliverable's current one)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    on: datetime | None = ON_OPTION,
) -> None:
    """Whom to engage on a deliverable now, in order, with the gaps.

    The supplier side's accountable and responsible contacts first, then the council owner, then
    the escalation path; gaps: nobody on the supplier side, people who have left, missing
    accreditations.
    """
    with acting() as (session, actor):
        found = deliverable_by_ref(session, actor, ref=deliverable)
        answer = who_to_engage(
            session, actor, deliverable=found, stage=stage, today=on.date() if on else None
        )
    if as_json:
        payload = {
            "deliverable": answer.ref,
            "title": answer.title,
            "stage": answer.stage,
            "contacts": json.loads(answer.contacts.to_json(orient="records")),
            "gaps": [{"kind": g.kind.name, "message": g.message} for g in answer.gaps],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"{answer.ref} {answer.title}, at {answer.stage or 'no stage'}")
    for i, row in enumerate(answer.contacts.itertuples(), start=1):
        reach = [str(v) for v in (row.channel, row.email, row.phone) if pd.notna(v) and v]
        typer.echo(
            f"{i:>2}. {row.reason}: {row.name}"
            f"{', ' + row.job_title if pd.notna(row.job_title) and row.job_title else ''}"
            f" ({row.organisation}){' [' + row.raci + ']' if row.raci else ''}"
            f"{' · ' + ' · '.join(reach) if reach else ''}"
        )
        if row.flags:
            typer.echo(f"    ! {row.flags}")
    if not answer.gaps:
        typer.echo("No gaps.")
    for gap in answer.gaps:
        typer.echo(f"Gap ({gap.kind.value}): {gap.message}")
