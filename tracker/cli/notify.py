"""`tracker notify ...`: deliver the outbox (the scheduled jobs `send` and `digest`), see what was
sent and resend it, preview what someone would receive, and set preferences.

`send` and `digest` take a job lock, so a run started while the previous one is still going stops
at once with one line; both exit non-zero when nothing could be sent (no TRACKER_SMTP_HOST, a bad
setting) or when the server refused anything, so the scheduler's own alerting sees it.
"""

import json
from collections.abc import Callable

import typer
from sqlalchemy import Engine

from tracker.cli.app import (
    acting,
    current_actor,
    engine,
    fail,
    usage,
)
from tracker.errors import NotFound
from tracker.jobs import job_lock
from tracker.policy import Actor
from tracker.services.auth.users import actor_for_email
from tracker.services.notify.delivery import RunReport, send_digests, send_due
from tracker.services.notify.history import (
    outbox_summary,
    preview,
    resend,
    sent_frame,
)
from tracker.services.notify.preferences import preferences_frame, set_preferences
from tracker.uk_time import uk_time

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

notify_app = typer.Typer(
    help="Email notifications: send what is due, the daily digest, what was sent, previews.",
    no_args_is_help=True,
)
commands.add_typer(notify_app, name="notify")


def _run(job: str, deliver: Callable[[Engine, Actor], RunReport]) -> None:
    eng, actor = engine(), current_actor()
    with job_lock(eng, f"notify {job}"):
        report = deliver(eng, actor)
    typer.echo(report.line())
    for problem in report.problems:
        typer.echo(f"  {problem}", err=True)
    if not report.ok:
        raise fail(
            f"{report.deferred + report.failed} notifications were not accepted by the mail server"
        )


@notify_app.command("send")
def send() -> None:
    """Send what is due now: first queue criteria past due, accreditations nearing expiry and
    newly blocked gates, then send each notification whose recipient wants it at once."""
    _run("send", send_due)


@notify_app.command("digest")
def digest() -> None:
    """Send each person who chose the daily digest one email with everything waiting for it."""
    _run("digest", send_digests)


@notify_app.command("preview")
def preview_command(
    email: str = typer.Option(..., "--as", metavar="EMAIL", help="Whose notifications to show."),
) -> None:
    """What this person would receive if the jobs ran now; nothing is sent or kept."""
    with acting() as (session, actor):
        shown = preview(session, actor, email=email)
    for message in shown.immediate:
        typer.echo(f"=== at once: {message.subject}\n{message.text()}")
    if shown.digest is not None:
        typer.echo(f"=== in the daily digest: {shown.digest.subject}\n{shown.digest.text()}")
    for reason in shown.not_sent:
        typer.echo(f"not sent: {reason}")
    if not (shown.immediate or shown.digest or shown.not_sent):
        typer.echo(f"nothing waits for {email}")


@notify_app.command("sent")
def sent(
    status: str | None = typer.Option(
        None, "--status", help="Only these: pending, sending, sent, failed or skipped."
    ),
    person: int | None = typer.Option(None, "--person", metavar="ID", help="Only to this person."),
    limit: int = typer.Option(50, "--limit", help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of lines."),
) -> None:
    """What was sent to whom (by person id) and when, newest first, and how it went (admins)."""
    with acting() as (session, actor):
        frame = sent_frame(session, actor, status=status, person_id=person, limit=limit)
        summary = outbox_summary(session, actor)
    if as_json:
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=2))
        return
    for row in frame.itertuples():
        when = f"sent {uk_time(row.sent_at)}" if row.sent_at is not None else row.status
        why = f" ({row.reason})" if row.reason else ""
        typer.echo(
            f"#{row.id}  person {row.person_id}  {row.kind}  {when}{why}  {row.subject or ''}"
        )
    typer.echo(f"outbox: {summary}")


@notify_app.command("resend")
def resend_command(
    notification_id: int = typer.Argument(..., help="The notification's number (see notify sent)."),
) -> None:
    """Send a notification again, on its own, at the next `tracker notify send` (admins)."""
    with acting() as (session, actor):
        note = resend(session, actor, notification_id=notification_id)
    typer.echo(f"notification {note.id} goes again with the next tracker notify send")


@notify_app.command("preferences")
def preferences(
    user: str | None = typer.Option(
        None, "--user", metavar="EMAIL", help="Whose (admins; default: the --as user)."
    ),
    choices: list[str] = typer.Option(
        [],
        "--set",
        metavar="KIND=WAY",
        help="e.g. 'sprint closed=off' or 'gate blocked=daily digest'. Repeatable.",
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of lines."),
) -> None:
    """A user's notification settings: each kind at once, in the daily digest, or off."""
    wanted = {}
    for choice in choices:
        kind, sep, way = choice.partition("=")
        if not sep:
            raise usage(f"--set takes KIND=WAY, e.g. 'sprint closed=off', not '{choice}'")
        wanted[kind] = way
    with acting() as (session, actor):
        user_id = actor_for_email(session, user).user_id if user else None
        if not user_id and not actor.user_id:
            raise NotFound(
                "the command-line operator has no notifications: name a user with --user EMAIL"
            )
        if wanted:
            set_preferences(session, actor, choices=wanted, user_id=user_id)
        frame = preferences_frame(session, actor, user_id=user_id)
    if as_json:
        typer.echo(json.dumps(frame.drop(columns="choices").to_dict(orient="records"), indent=2))
        return
    for row in frame.itertuples():
        typer.echo(f"{row.kind}: {row.delivery}  (choices: {', '.join(row.choices)})")
