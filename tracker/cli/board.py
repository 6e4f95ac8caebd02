"""The programme board's pack at the command line: `tracker report highlight` and `tracker report
rag`, and `tracker board thresholds|note|published` for what the Board pack page edits and lists.

Thin wrappers over tracker.services.board, so a rating or a report here is the one on the page.
Bad input (a period ending before it starts, an unknown or hidden programme or deliverable, a
missing declared rating when publishing) is one line on stderr and exit 1, and nothing is written:
no report is published and no file is made.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from tracker.cli.app import (
    acting,
    usage,
)
from tracker.cli.report import report_app
from tracker.errors import Invalid

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

board_app = typer.Typer(
    help="The board pack's thresholds, owners' notes and published reports.",
    no_args_is_help=True,
)
commands.add_typer(board_app, name="board")

PROGRAMME = typer.Option(..., "--programme", metavar="NAME", help="The programme's name.")
DAY_FORMATS = ["%Y-%m-%d"]
FROM = typer.Option(None, "--from", formats=DAY_FORMATS, help="First day of the period.")
TO = typer.Option(None, "--to", formats=DAY_FORMATS, help="Last day of the period.")
FORMATS = ("html", "csv", "json")


def _day(value: datetime | None) -> Any:
    return value.date() if value is not None else None


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Invalid(f"could not write {out}: {exc.strerror}") from None
    typer.echo(f"Wrote {out}", err=True)


@report_app.command("highlight")
def highlight(
    name: str = PROGRAMME,
    start: datetime | None = FROM,
    end: datetime | None = TO,
    publish: bool = typer.Option(
        False, "--publish", help="Freeze the report and record its digest (admins)."
    ),
    kind: str = typer.Option(
        "html", "--format", metavar="html|csv|json", help="What to write: html, csv or json."
    ),
    out: Path | None = typer.Option(None, "--out", metavar="FILE", help="Write here, not stdout."),
    report_id: int | None = typer.Option(
        None, "--report", metavar="ID", help="Export this published report instead."
    ),
) -> None:
    """The highlight report of a period (default: the last two weeks up to the latest sprint
    end): declared and derived ratings per deliverable, trends, owners' notes, work done and
    next, acceptance, assurance, risks and decisions. --publish freezes it for the board."""
    if kind not in FORMATS:
        raise usage(f"--format must be html, csv or json, not '{kind}'")
    if out is not None and not out.parent.is_dir():
        raise Invalid(f"no folder {out.parent} to write {out.name} in")
    from tracker.services.board.exports import export
    from tracker.services.board.highlight import build_report
    from tracker.services.board.publish import publish_report, published_content, stamp_of
    from tracker.services.delivery.sprints import find_programme

    with acting() as (session, actor):
        programme = find_programme(session, actor, name=name)
        if report_id is not None:
            content = published_content(session, actor, report_id=report_id)
            stamp = stamp_of(session, actor, report_id=report_id)
        elif publish:
            published = publish_report(
                session, actor, programme_id=programme.id, start=_day(start), end=_day(end)
            )
            content = published_content(session, actor, report_id=published.id)
            stamp = stamp_of(session, actor, report_id=published.id)
        else:
            content = build_report(
                session, actor, programme_id=programme.id, start=_day(start), end=_day(end)
            )
            stamp = None
    if publish:
        typer.echo(stamp, err=True)
    _write(export(content, kind, stamp), out)


def rag_payload(rated: Any) -> dict[str, Any]:
    """The `--json` document of `tracker report rag`."""
    checks = rated.checks
    forecast = rated.forecast.set_index("deliverable_id")
    overall = rated.overall.set_index("deliverable_id")

    def day(value: Any) -> str | None:
        return None if value is None or value != value else f"{value:%Y-%m-%d}"

    deliverables = []
    for d in rated.deliverables.itertuples():
        mine = rated.ratings.loc[rated.ratings["deliverable_id"] == d.id]
        f = forecast.loc[d.id]
        deliverables.append(
            {
                "ref": d.ref,
                "title": d.title,
                "declared": str(d.rag),
                "overall": {
                    "rating": overall.loc[d.id, "rating"],
                    "reason": overall.loc[d.id, "reason"],
                },
                "forecast": {
                    "target": day(f["target"]),
                    "p50": day(f["p50"]),
                    "p85": day(f["p85"]),
                    "p95": day(f["p95"]),
                    "slip_weeks": None if f["slip_weeks"] != f["slip_weeks"] else f["slip_weeks"],
                },
                "dimensions": [
                    {
                        "dimension": r.dimension,
                        "rating": r.rating,
                        "reason": r.reason,
                        "counted": bool(r.counted),
                        "checks": [
                            {
                                "rule": c.rule,
                                "rating": c.rating,
                                "measured": c.measured,
                                "threshold": c.threshold,
                                "fired": bool(c.fired),
                            }
                            for c in checks.loc[
                                (checks["deliverable_id"] == d.id)
                                & (checks["dimension"] == r.dimension)
                            ].itertuples()
                        ],
                    }
                    for r in mine.itertuples()
                ],
            }
        )
    return {
        "programme": rated.programme.name,
        "period": {"start": rated.period.start.isoformat(), "end": rated.period.end.isoformat()},
        "thresholds": rated.thresholds.as_dict(),
        "programme_ratings": rated.programme_ratings.to_dict(orient="records"),
        "exceptions": rated.exceptions.drop(columns=["deliverable_id"]).to_dict(orient="records"),
        "deliverables": deliverables,
    }


@report_app.command("rag")
def rag(
    name: str = PROGRAMME,
    start: datetime | None = FROM,
    end: datetime | None = TO,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Derived RAG per deliverable and dimension, with the rule, measured value and threshold
    behind each (advisory: the declared RAG is never changed)."""
    from tracker.services.board.ratings import board_ratings
    from tracker.services.delivery.sprints import find_programme

    with acting() as (session, actor):
        programme = find_programme(session, actor, name=name)
        rated = board_ratings(
            session, actor, programme_id=programme.id, start=_day(start), end=_day(end)
        )
    payload = rag_payload(rated)
    if as_json:
        typer.echo(json.dumps(payload, indent=2, allow_nan=False))
        return
    typer.echo(f"{payload['programme']}, {rated.period}: derived ratings (advisory)")
    for row in payload["programme_ratings"]:
        typer.echo(f"  {row['dimension']}: {row['rating']} ({row['reason']})")
    if payload["exceptions"]:
        typer.echo("Exceptions:")
        for row in payload["exceptions"]:
            typer.echo(f"  {row['ref']}: {row['exception']}: {row['detail']}")
    for d in payload["deliverables"]:
        f = d["forecast"]
        typer.echo(
            f"{d['ref']} {d['title']}: derived {d['overall']['reason']}; declared {d['declared']};"
            f" target {f['target'] or 'none'}, 85% likely by {f['p85'] or 'no date'}"
        )
        for dimension in d["dimensions"]:
            typer.echo(f"  {dimension['dimension']}: {dimension['rating']}: {dimension['reason']}")


@board_app.command("thresholds")
def thresholds(
    name: str = PROGRAMME,
    values: list[str] = typer.Option(
        [], "--set", metavar="NAME=VALUE", help="Change a threshold (admins); repeatable."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The limits the programme's ratings are derived with; --set changes them (admins)."""
    from tracker.metrics.rag import Thresholds
    from tracker.services.board.thresholds import programme_thresholds, save_thresholds
    from tracker.services.delivery.sprints import find_programme

    pairs = [v.partition("=") for v in values]
    if any(not sep for _, sep, _ in pairs):
        raise usage("--set takes NAME=VALUE, e.g. --set scope_red_pct=25")
    with acting() as (session, actor):
        programme = find_programme(session, actor, name=name)
        if pairs:
            save_thresholds(
                session,
                actor,
                programme_id=programme.id,
                values={k.strip(): v.strip() for k, _, v in pairs},
            )
        found = programme_thresholds(session, actor, programme_id=programme.id)
    if as_json:
        typer.echo(json.dumps(found.as_dict(), indent=2))
        return
    for key, value in found.as_dict().items():
        typer.echo(f"{key} = {value:g}: {Thresholds.MEANINGS[key]}")


@board_app.command("note")
def note(
    ref: str = typer.Argument(..., metavar="REF", help="The deliverable, e.g. RB-01."),
    start: datetime | None = FROM,
    end: datetime | None = TO,
    summary: str = typer.Option("", "--summary", help="What happened in the period."),
    next_period: str = typer.Option("", "--next", help="What is planned for the next one."),
    declare: list[str] = typer.Option(
        [], "--declare", metavar="DIMENSION=RAG", help="Your rating, e.g. Time=amber; repeatable."
    ),
) -> None:
    """Write a deliverable's highlight note for a period (its council's project owners, or an
    admin): summary, next period, and the declared rating per dimension."""
    from tracker.services.board.notes import save_note
    from tracker.services.board.period import chosen_period
    from tracker.services.board.ratings import default_programme_period
    from tracker.services.lookups import deliverable_by_ref

    pairs = [d.partition("=") for d in declare]
    if any(not sep for _, sep, _ in pairs):
        raise usage("--declare takes DIMENSION=RAG, e.g. --declare Time=amber")
    with acting() as (session, actor):
        deliverable = deliverable_by_ref(session, actor, ref=ref)
        default = default_programme_period(
            session, actor, programme_id=deliverable.programme_id, today=datetime.now().date()
        )
        period = chosen_period(_day(start), _day(end), default)
        save_note(
            session,
            actor,
            deliverable_id=deliverable.id or 0,
            period=period,
            summary=summary,
            next_period=next_period,
            declared={k.strip(): v.strip() for k, _, v in pairs},
        )
    typer.echo(f"Saved {ref}'s note for {period}")


@board_app.command("published")
def published(name: str = PROGRAMME, as_json: bool = typer.Option(False, "--json")) -> None:
    """The programme's published highlight reports, newest period first, and which superseded
    which (export one with `tracker report highlight --report ID`)."""
    import pandas as pd

    from tracker.services.board.publish import published_reports
    from tracker.services.delivery.sprints import find_programme

    with acting() as (session, actor):
        programme = find_programme(session, actor, name=name)
        frame = published_reports(session, actor, programme_id=programme.id)
    rows = [
        {
            "id": int(r.id),
            "period": f"{r.period_start} to {r.period_end}",
            "publication": int(r.publication),
            "published_at": r.published_at.isoformat(),
            "superseded_by": None if pd.isna(r.superseded_by) else int(r.superseded_by),
            "content_sha256": r.content_sha256,
        }
        for r in frame.itertuples()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo(f"{programme.name}: nothing published yet")
    for r in rows:
        status = f"superseded by {r['superseded_by']}" if r["superseded_by"] else "in force"
        typer.echo(
            f"{r['id']}: {r['period']}, publication {r['publication']}, {status}, "
            f"SHA-256 {r['content_sha256']}"
        )
