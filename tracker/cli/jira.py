"""`tracker site ...`, `tracker sync` and `tracker import-jira`: Jira sites and their data.

Thin wrappers over tracker.services.jira.sites, which the admin page calls too. Failures are one
line on stderr and a non-zero exit; the progress bar goes to stderr so stdout stays the summary.
"""

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tracker.cli.app import (
    acting,
    current_actor,
    engine,
    fail,
    operator_only,
    usage,
)
from tracker.errors import NotFound
from tracker.jira_sync.sync import SyncProgress
from tracker.jobs import job_lock
from tracker.services.jira import sites as jira_admin
from tracker.services.jira.all_sites import DEFAULT_PARALLEL, SiteOutcome, sync_all_sites
from tracker.uk_time import uk_time

#: This module's top-level commands, listed in tracker.cli.app.COMMANDS.
commands = typer.Typer()

site_app = typer.Typer(
    help="Jira sites: where they are and whose credentials reach them.", no_args_is_help=True
)
commands.add_typer(site_app, name="site")


@site_app.command("add")
def site_add(
    name: str = typer.Argument(..., help="A short name, e.g. northmoor."),
    url: str = typer.Option(..., "--url", help="The site's address, e.g. https://x.atlassian.net."),
    kind: str = typer.Option(..., "--kind", help="cloud or datacenter."),
    token_env: str = typer.Option(
        ..., "--token-env", help="Variable holding the API token (Cloud) or personal access token."
    ),
    email_env: str | None = typer.Option(
        None, "--email-env", help="Variable holding the account's email (Cloud only)."
    ),
) -> None:
    """Register a site by the NAMES of the variables (or secrets.toml keys) holding its secrets."""
    operator_only("site add")
    with acting() as (session, actor):
        site = jira_admin.add_site(
            session, actor, name=name, url=url, kind=kind, token_env=token_env, email_env=email_env
        )
        typer.echo(f"added Jira site '{site.name}' ({site.kind}): tracker site test {site.name}")


@site_app.command("blocks")
def site_blocks(
    name: str = typer.Argument(..., help="The site's name."),
    types: list[str] = typer.Argument(
        None, help="Link type names that mean 'blocks'; none: show the current ones."
    ),
) -> None:
    """The issue link types that mean "blocks" on a site (default: Jira's own Blocks)."""
    if types:
        operator_only("site blocks")
    with acting() as (session, actor):
        if types:
            shown = jira_admin.set_blocking_link_types(session, actor, site=name, types=types)
        else:
            shown = jira_admin.blocking_link_types(session, actor, site=name)
    typer.echo(f"{name}: {', '.join(shown)} mean 'blocks'")


@site_app.command("list")
def site_list() -> None:
    """Every site, the variables holding its credentials (never their values) and its boards."""
    with acting() as (session, actor):
        sites = jira_admin.list_sites(session, actor)
    if not sites:
        typer.echo("no Jira sites yet: add one with tracker site add")
        return
    for site in sites:
        where = "imported from files" if site.offline else f"credentials in {site.credentials}"
        missing = f" (not set: {site.credentials_missing})" if site.credentials_missing else ""
        last = f", last synced {uk_time(site.last_sync)}" if site.last_sync is not None else ""
        if site.last_run in ("", "succeeded"):
            run = ""
        elif site.last_run == "running":
            run = f", a sync running since {uk_time(site.last_run_at)}"
        else:
            run = f", last run {site.last_run} (started {uk_time(site.last_run_at)})"
        typer.echo(
            f"{site.name}  {site.kind}  {site.url}  {where}{missing}, "
            f"{site.synced_boards} synced boards{last}{run}"
        )


@site_app.command("test")
def site_test(name: str = typer.Argument(..., help="The site's name.")) -> None:
    """Check the site's credentials and say whom they belong to."""
    with acting() as (session, actor):
        check = jira_admin.check_site_connection(session, actor, site_name=name)
    typer.echo(check.line())


@site_app.command("boards")
def site_boards(name: str = typer.Argument(..., help="The site's name.")) -> None:
    """The site's boards as Jira lists them now, and which are synced."""
    with acting() as (session, actor):
        boards = jira_admin.list_boards(session, actor, site_name=name)
    for board in boards.itertuples():
        mark = "synced" if board.synced else "-"
        typer.echo(
            f"{board.board_id:>6}  {mark:6}  {board.type:6}  {board.name}  ({board.issues} issues)"
        )


def _sync_one(site: str, boards: list[int], full: bool, console: Console) -> bool:
    actor = current_actor()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def show(step: SyncProgress) -> None:
            if step.board not in tasks:
                tasks[step.board] = bar.add_task(f"{site}: {step.board}", total=None)
            bar.update(tasks[step.board], completed=step.done, total=step.total or None)

        result = jira_admin.sync_site(
            engine(), actor, site_name=site, boards=boards, full=full, progress=show
        )
    typer.echo(result.summary())
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not result.ok:
        typer.echo(f"error: {result.error_line()}", err=True)
    return result.ok


@commands.command("sync")
def sync(
    site: str | None = typer.Option(
        None, "--site", help="Sync only this site (default: every live site)."
    ),
    board: list[int] = typer.Option(
        [],
        "--board",
        help="A Jira board id to sync; added to the site's synced boards. Repeatable.",
    ),
    full: bool = typer.Option(False, "--full", help="Read every issue, not just the changed ones."),
    every: bool = typer.Option(
        False,
        "--all",
        help="The scheduled job: every synced board of every site, sites in parallel, one run "
        "at a time.",
    ),
    parallel: int = typer.Option(
        DEFAULT_PARALLEL, "--parallel", metavar="N", help="With --all: sites synced at once."
    ),
) -> None:
    """Bring synced boards up to date from Jira (incrementally unless --full)."""
    if every:
        if site or board:
            raise usage("--all syncs every site: leave out --site and --board.")
        _sync_all(full, parallel)
        return
    if board and not site:
        raise usage("--board needs --site: board ids are per site.")
    console = Console(stderr=True)
    with acting() as (session, actor):
        sites = [site] if site else jira_admin.live_site_names(session, actor)
    if not sites:
        raise NotFound("there are no live Jira sites to sync: add one with tracker site add.")
    if not all([_sync_one(name, board, full, console) for name in sites]):
        raise typer.Exit(1)  # each failure was reported as an error line by _sync_one


def _sync_all(full: bool, parallel: int) -> None:
    def done(outcome: SiteOutcome) -> None:
        typer.echo(outcome.line())
        if not outcome.ok:
            typer.echo(f"error: {outcome.error}", err=True)

    eng, actor = engine(), current_actor()
    with job_lock(eng, "sync --all"):
        outcomes = sync_all_sites(eng, actor, parallel=parallel, full=full, on_done=done)
    failed = [o.site for o in outcomes if not o.ok]
    if failed:
        raise fail(
            f"{len(failed)} of {len(outcomes)} sites did not sync completely: {', '.join(failed)}"
        )


@commands.command("import-jira")
def import_jira(
    directory: Path = typer.Argument(..., help="A site saved as docs/jira-data.md describes."),
) -> None:
    """Load a site's Jira data from files (for councils without API access); all or nothing."""
    operator_only("import-jira")
    summary = jira_admin.import_directory(engine(), current_actor(), directory=directory)
    typer.echo(summary.line())
