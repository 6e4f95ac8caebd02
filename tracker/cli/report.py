"""`tracker report sprint|velocity|programme`: the delivery pages' figures at the command line.

Thin wrappers over tracker.services.delivery.sprints, so a figure here is the figure on the
page. `--json` prints machine-readable output (timestamps ISO 8601 in UTC, estimates null when
unset); without it, readable tables. Unknown or hidden sites, boards, sprints and programmes are
one line on stderr and a non-zero exit.
"""

import json
import math
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd
import typer

from tracker.cli.app import acting
from tracker.metrics.frames import Sprint
from tracker.metrics.sprint_report import ReportOptions, Total
from tracker.metrics.velocity import TOTALS
from tracker.services.delivery.sprints import (
    ProgrammeProgress,
    SprintReview,
    board_velocity,
    find_board,
    find_programme,
    programme_progress,
    site_sprints,
    sprint_report_for,
)
from tracker.uk_time import uk_time

# Each command imports the services only it uses inside its function: a command is a process of
# its own, and the board pack's ratings or the acceptance views cost a report that does not use
# them a tenth of a second or more (bench/startup.py).

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

report_app = typer.Typer(
    help="Sprint, velocity and programme reports, as on the delivery pages.",
    no_args_is_help=True,
)
commands.add_typer(report_app, name="report")

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of tables.")
SUBTASKS_OPTION = typer.Option(
    False,
    "--include-subtasks",
    help="Add sub-task estimates to their parent's (Jira leaves sub-tasks out).",
)


class DoneAtStart(StrEnum):
    """The --done-at-start choices: tracker.metrics.sprint_report.ReportOptions.done_at_start."""

    exclude = "exclude"
    include = "include"


DONE_AT_START_OPTION = typer.Option(
    DoneAtStart.exclude,
    "--done-at-start",
    help="Whether issues already done when the sprint started count in committed.",
)


def _utc(value: pd.Timestamp | None) -> str | None:
    """ISO 8601 in UTC to the millisecond, as Jira records times: `2026-08-17T08:00:00.000Z`."""
    if value is None or pd.isna(value):
        return None
    return value.tz_convert("UTC").isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _records(frame: pd.DataFrame, convert: dict[str, Callable[[Any], Any]]) -> list[dict]:
    return [
        {column: convert.get(column, lambda v: v)(row[column]) for column in frame.columns}
        for _, row in frame.iterrows()
    ]


def _sprint(sprint: Sprint, review: SprintReview) -> dict[str, Any]:
    return {
        "id": sprint.id,
        "name": sprint.name,
        "state": sprint.state,
        "goal": sprint.goal,
        "start": _utc(sprint.start),
        "end": _utc(sprint.end),
        "complete": _utc(sprint.complete),
        "board": review.board.name,
        "board_id": review.board.jira_id,
        "site": review.board.site,
    }


def _total(total: Total) -> dict[str, Any]:
    """A total as JSON: its issue count and its points (null when counted in issues only)."""
    return {"issues": total.issues, "points": total.points}


def sprint_payload(review: SprintReview) -> dict[str, Any]:
    """The `--json` document of `tracker report sprint`."""
    report = review.report
    issues = report.issues[["key", "outcome", "added", "initial_estimate", "final_estimate"]]
    burndown = review.burndown[["at", "remaining", "event", "key"]]
    return {
        "sprint": _sprint(report.sprint, review),
        "warnings": review.warnings,
        "measure": report.measure,
        **{name: _total(getattr(report, name)) for name in TOTALS},
        "issues": _records(
            issues.astype({"outcome": "str"}),
            {"added": bool, "initial_estimate": _number, "final_estimate": _number},
        ),
        "burndown": _records(
            burndown,
            {"at": _utc, "remaining": float, "key": lambda k: None if pd.isna(k) else str(k)},
        ),
        "standing": None
        if review.standing is None
        else {
            "remaining": review.standing.remaining,
            "expected": round(review.standing.expected, 2),
            "days_left": review.standing.days_left,
            "working_days_left": review.standing.working_days_left,
            "on_track": review.standing.on_track,
        },
    }


def _points(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:g}"


def _issues(count: int) -> str:
    return f"{count} issue{'s' * (count != 1)}"


def _amount(total: Total) -> str:
    """ "18 points (4 issues)", or "4 issues" when counted in issues only."""
    if total.points is None:
        return _issues(total.issues)
    return f"{total.points:g} points ({_issues(total.issues)})"


def _print_sprint(review: SprintReview) -> None:
    report, sprint = review.report, review.sprint
    state = (
        f"running since {uk_time(sprint.start)}"
        if sprint.complete is None
        else f"closed {uk_time(sprint.complete)}"
    )
    typer.echo(f"{sprint.name} on {review.board.label}: {state}")
    typer.echo(f"Goal: {sprint.goal or '(none)'}")
    for warning in review.warnings:
        typer.echo(f"Warning: {warning}")
    line = " · ".join(
        f"{name.replace('_', ' ')} {_amount(getattr(report, name))}" for name in TOTALS
    )
    typer.echo(line[0].upper() + line[1:])
    if review.standing is not None:
        typer.echo(review.standing.sentence())
    table = pd.DataFrame(
        {
            "Key": review.issues["key"],
            "Outcome": review.issues["outcome"].astype("str").str.replace("_", " "),
            "Added": review.issues["added"].map({True: "yes", False: ""}),
            "Initial": review.issues["initial_estimate"].map(_points),
            "Final": review.issues["final_estimate"].map(_points),
            "Summary": review.issues["summary"],
        }
    )
    typer.echo("")
    typer.echo(table.to_string(index=False) if len(table) else "No issues in this sprint.")
    if len(review.carry_over):
        typer.echo("\nCarried over:")
        for row in review.carry_over.itertuples():
            typer.echo(f"  {row.key} ({_points(row.remaining)} remaining) to {row.to_sprint}")
    typer.echo("\nHow these figures were counted:")
    for choice in review.choices.values():
        typer.echo(f"  - {choice}")


@report_app.command("sprint")
def sprint(
    site: str = typer.Option(..., "--site", metavar="NAME", help="The Jira site, e.g. northmoor."),
    sprint_id: int = typer.Option(..., "--sprint", metavar="ID", help="Jira's sprint id."),
    as_json: bool = JSON_OPTION,
    include_subtasks: bool = SUBTASKS_OPTION,
    done_at_start: DoneAtStart = DONE_AT_START_OPTION,
) -> None:
    """Jira's sprint report for one sprint: committed, completed, added, removed, each issue's
    outcome, and the burndown's steps."""
    options = ReportOptions(include_subtasks, done_at_start.value)  # type: ignore[arg-type]
    with acting() as (session, actor):
        review = sprint_report_for(
            session, actor, board=site, sprint_jira_id=sprint_id, options=options
        )
    if as_json:
        typer.echo(json.dumps(sprint_payload(review), indent=2))
    else:
        _print_sprint(review)


@report_app.command("sprints")
def sprints(
    site: str = typer.Option(..., "--site", metavar="NAME", help="The Jira site, e.g. northmoor."),
    board: int | None = typer.Option(
        None, "--board", metavar="ID", help="Only this board (Jira's board id on the site)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """The sprints of a site's boards, newest first, with Jira's sprint ids and states: the id to
    give `tracker report sprint --sprint` (the running one is 'active')."""
    with acting() as (session, actor):
        frame = site_sprints(session, actor, site=site, board_jira_id=board)
    if as_json:
        records = [
            {
                "board_id": int(row.board_id),
                "board": row.board,
                "sprint_id": int(row.sprint_id),
                "sprint": row.sprint,
                "state": row.state,
                "start": _utc(row.start),
                "end": _utc(row.end),
                "complete": _utc(row.complete),
            }
            for row in frame.itertuples()
        ]
        typer.echo(json.dumps({"site": site, "sprints": records}, indent=2))
        return
    for board_id, rows in frame.groupby("board_id", sort=False):
        typer.echo(f"Board {board_id} {rows['board'].iloc[0]} on {site}:")
        for row in rows.itertuples():
            when = (
                f"closed {uk_time(row.complete)}"
                if pd.notna(row.complete)
                else f"started {uk_time(row.start)}"
                if pd.notna(row.start)
                else "not started"
            )
            typer.echo(f"  {row.sprint_id:>6}  {row.state:<7} {row.sprint} ({when})")


@report_app.command("velocity")
def velocity(
    site: str = typer.Option(..., "--site", metavar="NAME", help="The Jira site, e.g. northmoor."),
    board: int = typer.Option(..., "--board", metavar="ID", help="Jira's board id on the site."),
    as_json: bool = JSON_OPTION,
    include_subtasks: bool = SUBTASKS_OPTION,
    done_at_start: DoneAtStart = DONE_AT_START_OPTION,
) -> None:
    """Committed, completed, added, removed and not completed per closed sprint of a board, in
    points and issues, with the recent average completed."""
    options = ReportOptions(include_subtasks, done_at_start.value)  # type: ignore[arg-type]
    with acting() as (session, actor):
        found = find_board(session, actor, site=site, jira_board_id=board)
        frame = board_velocity(session, actor, board_id=found.id, options=options)
    names = [*TOTALS, "average"]
    if as_json:
        sprints = [
            {
                "sprint_id": int(row["sprint_id"]),
                "sprint": row["sprint"],
                "start": _utc(row["start"]),
                **{
                    name: {
                        "issues": _number(row[f"{name}_issues"]),
                        "points": _number(row[f"{name}_points"]),
                    }
                    for name in names
                },
                "warnings": row["warnings"],
            }
            for _, row in frame.iterrows()
        ]
        payload = {
            "board": {"id": found.jira_id, "name": found.name, "site": found.site},
            "sprints": sprints,
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    counted = frame["committed_points"].isna().all()
    unit = "issues (the board has no estimation field)" if counted else "points (issues)"
    typer.echo(f"Velocity of {found.label}, in {unit}")
    if frame.empty:
        typer.echo("No closed sprints yet.")
        return

    def cell(points: float, issues: float) -> str:
        count = f"{issues:.3g}"
        return count if math.isnan(points) else f"{points:.1f}".removesuffix(".0") + f" ({count})"

    table = pd.DataFrame(
        {
            "Id": frame["sprint_id"],
            "Sprint": frame["sprint"],
            "Started": frame["start"].dt.strftime("%d %b %Y"),
            **{
                HEADINGS.get(name, name.replace("_", " ").capitalize()): [
                    cell(points, issues)
                    for points, issues in zip(
                        frame[f"{name}_points"], frame[f"{name}_issues"], strict=True
                    )
                ]
                for name in names
            },
        }
    )
    typer.echo(table.to_string(index=False))
    for name, warnings in zip(frame["sprint"], frame["warnings"], strict=True):
        for warning in warnings:
            typer.echo(f"Warning: {name}: {warning}")


#: Velocity table headings that are not simply the total's name.
HEADINGS = {"average": "Average completed"}


def _forecast_records(frame: pd.DataFrame) -> list[dict]:
    return _records(
        frame[["percentile", "weeks", "date", "note"]],
        {
            "percentile": int,
            "weeks": _number,
            "date": lambda d: None if pd.isna(d) else f"{d:%Y-%m-%d}",
        },
    )


def programme_summary(progress: ProgrammeProgress) -> dict[str, Any]:
    """`tracker report programme`: the programme's and each deliverable's figures and forecasts,
    all the table shows and the `--json` document without its daily burnup."""
    from tracker.metrics.rag import slip_weeks

    measure = progress.measure
    last = progress.burnup.iloc[-1] if len(progress.burnup) else None
    targets = progress.targets.set_index("ref")["target_date"]
    deliverables = []
    for (ref, title), group in progress.deliverables.groupby(["ref", "title"], sort=True):
        end = group.iloc[-1]
        forecasts = progress.deliverable_forecasts
        mine = forecasts.loc[forecasts["ref"] == ref]
        target = targets.get(ref)
        likely = mine.loc[mine["percentile"] == 85, "date"]
        slip = slip_weeks(
            pd.DataFrame({"p85": likely.to_numpy(), "target": pd.to_datetime([target])})
        )
        deliverables.append(
            {
                "ref": ref,
                "title": title,
                "scope": float(end[f"scope_{measure}"]),
                "done": float(end[f"done_{measure}"]),
                "forecast": _forecast_records(mine),
                "target_date": None if pd.isna(target) else f"{target:%Y-%m-%d}",
                "slip_weeks": _number(slip.iloc[0]) if len(slip) else None,
            }
        )
    return {
        "programme": progress.programme.name,
        "measure": measure,
        "as_of": None if last is None else f"{last['date']:%Y-%m-%d}",
        "scope": None if last is None else float(last[f"scope_{measure}"]),
        "done": None if last is None else float(last[f"done_{measure}"]),
        "forecast": _forecast_records(progress.forecast),
        "deliverables": deliverables,
    }


def programme_payload(progress: ProgrammeProgress) -> dict[str, Any]:
    """The `--json` document of `tracker report programme`: the summary and the daily burnup."""
    burnup = _records(
        progress.burnup,
        {"date": lambda d: f"{d:%Y-%m-%d}"}
        | dict.fromkeys(progress.burnup.columns.drop("date"), float),
    )
    return {**programme_summary(progress), "burnup": burnup}


@report_app.command("programme")
def programme(
    name: str = typer.Option(..., "--programme", metavar="NAME", help="The programme's name."),
    as_json: bool = JSON_OPTION,
    points: bool = typer.Option(
        False, "--points", help="Measure in estimate points instead of issue counts."
    ),
) -> None:
    """The programme's burnup across all its boards and sites, per deliverable too, with the
    dates by which completion is 50%, 85% and 95% likely (Monte Carlo over recent weeks)."""
    with acting() as (session, actor):
        found = find_programme(session, actor, name=name)
        progress = programme_progress(
            session, actor, programme_id=found.id, measure="points" if points else "issues"
        )
    if as_json:
        typer.echo(json.dumps(programme_payload(progress), indent=2))
        return
    payload = programme_summary(progress)  # the table shows no daily burnup: not converted
    if payload["as_of"] is None:
        typer.echo(f"{payload['programme']}: no Jira issues synced for its deliverables yet")
        return
    typer.echo(
        f"{payload['programme']} on {payload['as_of']}: {payload['done']:g} of "
        f"{payload['scope']:g} {payload['measure']} done"
    )

    def dates(forecast: list[dict]) -> str:
        dated = [f"{f['percentile']}% by {f['date']}" for f in forecast if f["date"]]
        return ", ".join(dated) or forecast[0]["note"]

    typer.echo(f"Forecast: {dates(payload['forecast'])}")
    for item in payload["deliverables"]:
        target = item["target_date"] or "none set"
        slip = "" if item["slip_weeks"] is None else f", 85% date {item['slip_weeks']:+.1f} weeks"
        typer.echo(
            f"  {item['ref']} {item['title']}: {item['done']:g} of {item['scope']:g} done; "
            f"{dates(item['forecast'])}; target {target}{slip}"
        )


def overview_payload(
    name: str, deliverables: pd.DataFrame, counts: dict[str, int], forecasts: pd.DataFrame
) -> dict[str, Any]:
    """The `--json` document of `tracker report overview`: what the overview page shows, with
    each deliverable's 85% likely date and its slip past the target in weeks."""
    columns = ["ref", "title", "stage", "rag", "rag_reason", "owner", "supplier", "sensitivity"]
    records = _records(deliverables[columns], {"rag_reason": lambda v: None if pd.isna(v) else v})
    found = forecasts.set_index("deliverable_id").reindex(deliverables["id"])
    for record, target, synced, likely, slip in zip(
        records,
        deliverables["target_date"],
        deliverables["last_sync"],
        found["p85"],
        found["slip_weeks"],
        strict=True,
    ):
        record["target_date"] = target.isoformat() if target else None
        record["likely_85"] = None if pd.isna(likely) else f"{likely:%Y-%m-%d}"
        record["slip_weeks"] = _number(slip)
        record["last_sync"] = _utc(synced)
    return {"programme": name, "counts": counts, "deliverables": records}


#: the overview's columns at the command line, as on the page
OVERVIEW_COLUMNS = ["ref", "title", "stage", "rag", "target_date", "likely_85", "slip_weeks"]
OVERVIEW_COLUMNS += ["supplier", "owner", "last_sync"]


@report_app.command("overview")
def overview(
    name: str = typer.Option(..., "--programme", help="The programme's name."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The programme overview: each deliverable's stage, RAG, supplier, owner and last sync, with
    the headline counts (the same figures as the overview page)."""
    from tracker.services.board.ratings import forecast_against_target
    from tracker.services.programme.overview import deliverables_frame, headline_counts

    with acting() as (session, actor):
        found = find_programme(session, actor, name=name)
        deliverables = deliverables_frame(session, actor, programme_id=found.id)
        forecasts = forecast_against_target(session, actor, programme_id=found.id)
    payload = overview_payload(
        found.name, deliverables, headline_counts(deliverables, date.today()), forecasts
    )
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    counts = payload["counts"]
    typer.echo(
        f"{found.name}: {counts['deliverables']} deliverables, {counts['red']} red, "
        f"{counts['amber']} amber, {counts['green']} green, {counts['past_target']} past target"
    )
    table = pd.DataFrame(payload["deliverables"])[OVERVIEW_COLUMNS]
    blanks = {"last_sync": "never", "likely_85": "no date", "slip_weeks": "no date"}
    typer.echo(table.fillna(blanks).fillna("none").to_string(index=False))


@report_app.command("acceptance")
def acceptance(
    name: str = typer.Option(..., "--programme", help="The programme's name."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Acceptance across the programme's deliverables: criteria confirmed by suppliers, accepted,
    queried, rejected and overdue (the same figures as the acceptance board page)."""
    from tracker.metrics.acceptance import acceptance_summary, acceptance_totals
    from tracker.services.acceptance.views import programme_criteria
    from tracker.services.programme.overview import deliverables_frame

    with acting() as (session, actor):
        found = find_programme(session, actor, name=name)
        deliverables = deliverables_frame(session, actor, programme_id=found.id)
        criteria = programme_criteria(session, actor, programme_id=found.id)
    summary = acceptance_summary(deliverables, criteria, date.today())
    totals = acceptance_totals(summary)
    if as_json:
        rows = _records(summary, {"confirmed_pct": _number, "accepted_pct": _number})
        payload = {"programme": found.name, "totals": totals, "deliverables": rows}
        typer.echo(json.dumps(payload, indent=2, allow_nan=False))
        return
    typer.echo(
        f"{found.name}: {totals['criteria']} criteria, {totals['confirmed_pct']}% confirmed by "
        f"suppliers, {totals['accepted_pct']}% accepted, {totals['queried']} queried, "
        f"{totals['overdue']} overdue"
    )
    typer.echo(summary.to_string(index=False))
