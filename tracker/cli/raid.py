"""`tracker raid ...`, `tracker decision ...` and `tracker deps`: the RAID log, the decision log and
dependencies between councils, through the same services as the pages.

`--programme NAME` may be left out when the acting user sees one programme only. Bad input is one
headline and a line per problem on stderr, exit 1, nothing written.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from sqlmodel import Session

from tracker.cli.app import acting
from tracker.errors import NotFound
from tracker.metrics.raid import heatmap_counts
from tracker.policy import Actor
from tracker.services.delivery.sprints import find_programme
from tracker.services.programme.overview import ProgrammeInfo, list_programmes
from tracker.services.raid.decisions import (
    decide,
    decisions_frame,
    propose_decision,
    supersede,
)
from tracker.services.raid.dependencies import dependency_cycles, dependency_frame
from tracker.services.raid.exchange import export_raid, import_raid
from tracker.services.raid.register import (
    RAID_COLUMNS,
    add_item,
    code_of,
    raid_frame,
    update_item,
)

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

raid_app = typer.Typer(help="The RAID log: risks, assumptions and issues.", no_args_is_help=True)
decision_app = typer.Typer(help="The decision log.", no_args_is_help=True)
commands.add_typer(raid_app, name="raid")
commands.add_typer(decision_app, name="decision")

PROGRAMME = typer.Option(
    None, "--programme", metavar="NAME", help="Default: the only programme you see."
)
JSON = typer.Option(False, "--json", help="Print JSON.")


def programme(session: Session, actor: Actor, name: str | None) -> ProgrammeInfo:
    """The programme named, or the only one the actor sees."""
    if name:
        return find_programme(session, actor, name=name)
    seen = list_programmes(session, actor)
    if len(seen) != 1:
        raise NotFound(
            "name the programme with --programme"
            + (f" (one of: {', '.join(p.name for p in seen)})" if seen else ": you see none")
        )
    return seen[0]


def _json(frame: pd.DataFrame) -> list[dict[str, Any]]:
    def plain(value: Any) -> Any:
        if value is None or (not isinstance(value, str | list) and pd.isna(value)):
            return None
        if isinstance(value, date):
            return value.isoformat()
        return value.item() if hasattr(value, "item") else value

    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _said(value: Any, empty: str = "") -> str:
    """A cell as text for a table line: empty cells (None, NaN, NaT) as `empty`."""
    return empty if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


# -- tracker raid -------------------------------------------------------------------------------

LIST_COLUMNS = [*RAID_COLUMNS, "residual_score", "needs_attention", "attention"]


@raid_app.command("list")
def raid_list(
    programme_name: str | None = PROGRAMME,
    deliverable: str | None = typer.Option(None, metavar="REF", help="Only this deliverable's."),
    organisation: str | None = typer.Option(None, help="Only those this organisation owns."),
    kind: str | None = typer.Option(None, help="risk, assumption or issue."),
    as_json: bool = JSON,
) -> None:
    """The register with scores and what needs the board's attention, and the heatmap."""
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        frame = raid_frame(
            session,
            actor,
            programme_id=chosen.id,
            kinds=[kind.lower()] if kind else None,
        )
        if deliverable:
            frame = frame[frame["deliverable"].fillna("").str.casefold() == deliverable.casefold()]
        if organisation:
            owner = frame["owner_organisation"].fillna("").str.casefold()
            frame = frame[owner == organisation.casefold()]
    heatmap = heatmap_counts(frame)
    if as_json:
        _echo_json(
            {
                "programme": chosen.name,
                "items": _json(frame[LIST_COLUMNS]),
                "heatmap": {
                    "likelihood_by_impact": heatmap.to_numpy().tolist(),
                    "likelihood": heatmap.index.tolist(),
                    "impact": heatmap.columns.tolist(),
                },
            }
        )
        return
    typer.echo(f"{chosen.name}: {len(frame)} RAID items")
    for row in frame.itertuples():
        score = f"{_said(row.score):>2}"
        where = _said(row.deliverable, "programme")
        flag = f"  NEEDS ATTENTION: {row.attention}" if row.needs_attention else ""
        typer.echo(
            f"{row.code:>5}  {row.status:<8} score {score}  {where:<8} "
            f"{row.owner_organisation}: {row.title}{flag}"
        )


def _item_values(**options: Any) -> dict[str, Any]:
    """Options given (None: not given) as register values; '' clears a value."""
    return {name: value for name, value in options.items() if value is not None}


@raid_app.command("add")
def raid_add(
    kind: str = typer.Option(..., help="risk, assumption or issue."),
    title: str = typer.Option(...),
    owner_organisation: str = typer.Option(..., help="The owning organisation's name."),
    programme_name: str | None = PROGRAMME,
    description: str | None = typer.Option(None),
    deliverable: str | None = typer.Option(None, metavar="REF", help="None: programme-level."),
    owner: str | None = typer.Option(None, help="The owner's email or name."),
    likelihood: int | None = typer.Option(None, help="Risks: 1-5."),
    impact: int | None = typer.Option(None, help="Risks: 1-5."),
    proximity: str | None = typer.Option(None, metavar="YYYY-MM-DD"),
    response: str | None = typer.Option(None, help="avoid, reduce, transfer or accept."),
    mitigation: str | None = typer.Option(None),
    review_date: str | None = typer.Option(None, metavar="YYYY-MM-DD"),
    residual_likelihood: int | None = typer.Option(None),
    residual_impact: int | None = typer.Option(None),
    escalation: str | None = typer.Option(None, help="none, programme board, joint committee."),
    priority: str | None = typer.Option(None, help="Assumptions and issues."),
    due_date: str | None = typer.Option(None, metavar="YYYY-MM-DD"),
) -> None:
    """Raise a risk, assumption or issue; the score is computed from likelihood and impact."""
    values = _item_values(
        kind=kind, title=title, owner_organisation=owner_organisation, description=description,
        deliverable=deliverable, owner=owner, likelihood=likelihood, impact=impact,
        proximity=proximity, response=response, mitigation=mitigation, review_date=review_date,
        residual_likelihood=residual_likelihood, residual_impact=residual_impact,
        escalation=escalation, priority=priority, due_date=due_date,
    )  # fmt: skip
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        item = add_item(session, actor, programme_id=chosen.id, values=values)
        code = code_of(item.kind, item.number)
    typer.echo(f"raised {code}: {title}")


@raid_app.command("update")
def raid_update(
    code: str = typer.Argument(..., help="The item's code, e.g. R-3."),
    programme_name: str | None = PROGRAMME,
    title: str | None = typer.Option(None),
    description: str | None = typer.Option(None),
    deliverable: str | None = typer.Option(None, metavar="REF"),
    owner_organisation: str | None = typer.Option(None),
    owner: str | None = typer.Option(None, help="The owner's email or name ('' for none)."),
    likelihood: str | None = typer.Option(None, help="1-5."),
    impact: str | None = typer.Option(None, help="1-5."),
    proximity: str | None = typer.Option(None, metavar="YYYY-MM-DD"),
    response: str | None = typer.Option(None),
    mitigation: str | None = typer.Option(None),
    review_date: str | None = typer.Option(None, metavar="YYYY-MM-DD"),
    residual_likelihood: str | None = typer.Option(None),
    residual_impact: str | None = typer.Option(None),
    escalation: str | None = typer.Option(None),
    status: str | None = typer.Option(
        None, help="open, closed, or occurred (a risk that happened: it becomes an issue)."
    ),
    priority: str | None = typer.Option(None),
    due_date: str | None = typer.Option(None, metavar="YYYY-MM-DD"),
    resolution: str | None = typer.Option(None),
) -> None:
    """Change what is given and keep the rest ('' clears a value)."""
    values = _item_values(
        title=title, description=description, deliverable=deliverable,
        owner_organisation=owner_organisation, owner=owner, likelihood=likelihood, impact=impact,
        proximity=proximity, response=response, mitigation=mitigation, review_date=review_date,
        residual_likelihood=residual_likelihood, residual_impact=residual_impact,
        escalation=escalation, status=status, priority=priority, due_date=due_date,
        resolution=resolution,
    )  # fmt: skip
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        saved = update_item(session, actor, programme_id=chosen.id, code=code, values=values)
        codes = [code_of(item.kind, item.number) for item in saved]
    typer.echo(f"saved {codes[0]}" + (f"; it occurred and became {codes[1]}" if codes[1:] else ""))


@raid_app.command("export")
def raid_export(
    file: Path = typer.Argument(..., dir_okay=False, help="A .csv or .xlsx file to write."),
    programme_name: str | None = PROGRAMME,
) -> None:
    """Write the register (as you may see it) to a CSV or Excel file."""
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        data = export_raid(session, actor, programme_id=chosen.id, filename=file.name)
    file.write_bytes(data)
    typer.echo(f"wrote {file}")


@raid_app.command("import")
def raid_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .xlsx file."),
    programme_name: str | None = PROGRAMME,
) -> None:
    """Raise and change items from a file, all or nothing: every bad row is listed by number."""
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        saved = import_raid(
            session, actor, programme_id=chosen.id, filename=file.name, data=file.read_bytes()
        )
    typer.echo(f"{file.name}: {len(saved)} RAID items saved")


# -- tracker decision ---------------------------------------------------------------------------


@decision_app.command("list")
def decision_list(
    programme_name: str | None = PROGRAMME,
    status: str | None = typer.Option(None, help="proposed, decided, superseded, reversed."),
    as_json: bool = JSON,
) -> None:
    """The decision log, newest first; proposed ones are the decisions the board must take."""
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        frame = decisions_frame(
            session, actor, programme_id=chosen.id, statuses=[status.lower()] if status else None
        )
    if as_json:
        _echo_json({"programme": chosen.name, "decisions": _json(frame)})
        return
    typer.echo(f"{chosen.name}: {len(frame)} decisions")
    for row in frame.itertuples():
        how = f" by {row.body} on {row.decided_on} ({row.minute_ref})" if _said(row.body) else ""
        link = f"; replaced by {row.replaced_by}" if _said(row.replaced_by) else ""
        need = f", needed by {row.needed_by}" if _said(row.needed_by) else ""
        typer.echo(f"{row.code:>5}  {row.status:<10} {row.title}{how}{need}{link}")


RECORD_OPTIONS = {
    "outcome": typer.Option(..., help="What was decided."),
    "body": typer.Option(..., help="Who decided: e.g. programme board, joint committee."),
    "decided_on": typer.Option(..., "--on", metavar="YYYY-MM-DD", help="The meeting's date."),
    "minute_ref": typer.Option(..., "--minute", help="The minute reference."),
}


@decision_app.command("propose")
def decision_propose(
    title: str = typer.Option(...),
    programme_name: str | None = PROGRAMME,
    detail: str | None = typer.Option(None, help="What is to be decided, with the options."),
    deliverable: str | None = typer.Option(None, metavar="REF"),
    raid_item: str | None = typer.Option(None, metavar="CODE", help="e.g. R-3"),
    owner_organisation: str | None = typer.Option(None, help="Default: your organisation."),
    needed_by: str | None = typer.Option(None, metavar="YYYY-MM-DD"),
) -> None:
    """Log a decision the programme needs."""
    values = _item_values(
        title=title, detail=detail, deliverable=deliverable, raid_item=raid_item,
        owner_organisation=owner_organisation, needed_by=needed_by,
    )  # fmt: skip
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        decision = propose_decision(session, actor, programme_id=chosen.id, values=values)
        number = decision.number
    typer.echo(f"proposed D-{number}: {title}")


@decision_app.command("decide")
def decision_decide(
    code: str = typer.Argument(..., help="e.g. D-2"),
    outcome: str = RECORD_OPTIONS["outcome"],
    body: str = RECORD_OPTIONS["body"],
    decided_on: str = RECORD_OPTIONS["decided_on"],
    minute_ref: str = RECORD_OPTIONS["minute_ref"],
    programme_name: str | None = PROGRAMME,
) -> None:
    """Record what a body decided; a decided decision is never edited, only superseded."""
    values = {"outcome": outcome, "body": body, "decided_on": decided_on, "minute_ref": minute_ref}
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        decide(session, actor, programme_id=chosen.id, code=code, values=values)
    typer.echo(f"{code.upper()} decided by {body} on {decided_on}")


@decision_app.command("supersede")
def decision_supersede(
    code: str = typer.Argument(..., help="The decided decision to replace, e.g. D-2"),
    outcome: str = RECORD_OPTIONS["outcome"],
    body: str = RECORD_OPTIONS["body"],
    decided_on: str = RECORD_OPTIONS["decided_on"],
    minute_ref: str = RECORD_OPTIONS["minute_ref"],
    title: str | None = typer.Option(None, help="Default: the old decision's."),
    detail: str | None = typer.Option(None),
    reverse: bool = typer.Option(False, "--reverse", help="It reverses the old decision."),
    programme_name: str | None = PROGRAMME,
) -> None:
    """Record a new decision replacing a decided one, which links to it."""
    values = _item_values(
        outcome=outcome, body=body, decided_on=decided_on, minute_ref=minute_ref, title=title,
        detail=detail,
    )  # fmt: skip
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        new = supersede(
            session, actor, programme_id=chosen.id, code=code, values=values, reverse=reverse
        )
        number = new.number
    typer.echo(f"D-{number} {'reverses' if reverse else 'supersedes'} {code.upper()}")


# -- tracker deps -------------------------------------------------------------------------------


@commands.command("deps")
def deps(
    programme_name: str | None = PROGRAMME,
    include_done: bool = typer.Option(False, "--include-done", help="List done ones too."),
    as_json: bool = JSON,
) -> None:
    """Who waits on whom: every open dependency (declared, and Jira's blocking links between
    deliverables), worst first, with its health and why, and any cycle."""
    with acting() as (session, actor):
        chosen = programme(session, actor, programme_name)
        frame = dependency_frame(session, actor, programme_id=chosen.id, include_done=include_done)
    cycles = dependency_cycles(frame)
    shown = frame.drop(columns=["consumer_deliverable_id", "provider_deliverable_id"])
    if as_json:
        _echo_json({"programme": chosen.name, "dependencies": _json(shown), "cycles": cycles})
        return
    typer.echo(f"{chosen.name}: {len(frame)} dependencies")
    for row in shown.itertuples():
        loop = "  IN A CYCLE" if row.in_cycle else ""
        typer.echo(
            f"{row.health.upper():<8} {row.consumer} ({row.consumer_org}) waits on "
            f"{row.provider} ({row.provider_org}): {row.what}; needed "
            f"{_said(row.needed_by, '-')}, expected {_said(row.expected_by, '-')}: {row.why}{loop}"
        )
    for cycle in cycles:
        typer.echo(f"cycle: {cycle}")
