"""`tracker criteria ...`: a deliverable's acceptance criteria, and its evidence pack."""

import json
from pathlib import Path

import typer

from tracker.cli.app import acting
from tracker.errors import count
from tracker.services.acceptance.evidence_pack import build_evidence_pack, write_pack
from tracker.services.acceptance.views import criteria_frame
from tracker.services.lookups import deliverable_by_ref

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

criteria_app = typer.Typer(help="Acceptance criteria.", no_args_is_help=True)
commands.add_typer(criteria_app, name="criteria")

DELIVERABLE = typer.Option(..., "--deliverable", metavar="REF", help="e.g. RB-01")
JSON_COLUMNS = [
    "code", "title", "status", "version", "sow_ref", "stage", "sprint", "due", "jira_keys",
    "text", "last_comment",
]  # fmt: skip


@criteria_app.command("list")
def list_criteria(
    deliverable: str = DELIVERABLE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """A deliverable's criteria with their status and version (drafts only for council staff)."""
    with acting() as (session, actor):
        found = deliverable_by_ref(session, actor, ref=deliverable)
        frame = criteria_frame(session, actor, deliverable_id=found.id or 0)
    if as_json:
        records = frame[JSON_COLUMNS].astype(object).where(frame[JSON_COLUMNS].notna(), None)
        payload = {"deliverable": found.ref, "criteria": records.to_dict(orient="records")}
        typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
        return
    typer.echo(
        f"{found.ref} {found.title}: "
        f"{count(len(frame), 'acceptance criterion', 'acceptance criteria')}"
    )
    for row in frame.itertuples():
        due = f", due {row.due}" if row.due else ""
        typer.echo(f"{row.code:>6}  {row.status:<18} v{row.version}  {row.title}{due}")


@criteria_app.command("export")
def export(
    deliverable: str = DELIVERABLE,
    out: Path = typer.Option(..., "--out", metavar="DIR", help="Directory to write into."),
) -> None:
    """Write a deliverable's evidence pack (CSV files and an HTML page) for a gate review."""
    with acting() as (session, actor):
        found = deliverable_by_ref(session, actor, ref=deliverable)
        pack = build_evidence_pack(session, actor, deliverable_id=found.id or 0)
    for path in write_pack(pack, out):
        typer.echo(f"wrote {path}")
    typer.echo(pack.ledger.summary())
