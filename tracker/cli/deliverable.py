"""`tracker deliverable ...`: a deliverable's stage, RAG and target date, and their history."""

import json
from dataclasses import replace
from datetime import date

import typer

from tracker.cli.app import acting
from tracker.services.lookups import deliverable_by_ref
from tracker.services.programme.status import (
    current_status,
    status_history,
    update_status,
)

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

deliverable_app = typer.Typer(
    help="A deliverable's stage, RAG and target date.", no_args_is_help=True
)
commands.add_typer(deliverable_app, name="deliverable")


@deliverable_app.command("update")
def update(
    ref: str = typer.Argument(..., help="The deliverable's reference, e.g. RB-01."),
    stage: str | None = typer.Option(None, help="Move to this stage of the programme."),
    rag: str | None = typer.Option(None, help="red, amber or green."),
    reason: str | None = typer.Option(None, help="Why (required for red and amber)."),
    target_date: str | None = typer.Option(None, help="New target date, YYYY-MM-DD."),
) -> None:
    """Change what is given, keep the rest; red and amber need --reason."""
    try:
        target = date.fromisoformat(target_date) if target_date else None
    except ValueError:
        raise typer.BadParameter(f"'{target_date}' is not a date (YYYY-MM-DD).") from None
    with acting() as (session, actor):
        deliverable = deliverable_by_ref(session, actor, ref=ref)
        seen = current_status(session, actor, deliverable_id=deliverable.id or 0)
        wanted = replace(
            seen,
            stage=stage or seen.stage,
            rag=rag or seen.rag,
            # a new RAG comes with its own reason: the old one is never carried over to it
            rag_reason=reason if reason is not None or rag is not None else seen.rag_reason,
            target_date=target or seen.target_date,
        )
        changed = update_status(
            session, actor, deliverable_id=deliverable.id or 0, seen=seen, wanted=wanted
        )
    if changed:
        typer.echo(f"{deliverable.ref}: {wanted.stage}, {wanted.rag}, target {wanted.target_date}")
    else:
        typer.echo(f"{deliverable.ref}: nothing to change")


@deliverable_app.command("history")
def history(
    ref: str = typer.Argument(..., help="The deliverable's reference, e.g. RB-01."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every recorded change of the deliverable's stage, RAG and target date, newest first."""
    with acting() as (session, actor):
        deliverable = deliverable_by_ref(session, actor, ref=ref)
        frame = status_history(session, actor, deliverable_id=deliverable.id or 0)
    if as_json:
        frame["at"] = frame["at"].map(lambda at: at.isoformat())
        typer.echo(json.dumps(frame.to_dict(orient="records"), indent=2))
    elif frame.empty:
        typer.echo(f"{deliverable.ref}: no changes recorded")
    else:
        typer.echo(frame.to_string(index=False))
