"""Managing Jira sites and syncs: the use cases behind `tracker site ...`, `tracker sync`,
`tracker import-jira` and the admin page, so both get one implementation.

Every function checks that the actor may manage sites. Nothing returned holds a secret: sites are
listed with the names of their credential variables and whether those are set, never the values.
Sites are listed as plain records and pandas is imported only by the two tables that need it, so
`tracker site list` starts without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from tracker.db import session_scope, upsert
from tracker.errors import Conflict, Invalid, NotFound
from tracker.jira_sync.addresses import USE_VARIABLES, has_credentials, without_credentials
from tracker.jira_sync.credentials import (
    SECRETS_FILE,
    credentials_for,
    missing_variables,
    variable_names,
)
from tracker.jira_sync.errors import SyncError
from tracker.jira_sync.explain import explain
from tracker.jira_sync.gateway import JiraGateway, JiraHttpError, RetryPolicy
from tracker.jira_sync.offline import ImportSummary, import_site_directory
from tracker.jira_sync.runs import mark_interrupted
from tracker.jira_sync.store import SprintsClosed
from tracker.jira_sync.sync import ProgressCallback, SiteSyncResult, SyncOptions
from tracker.jira_sync.sync import sync_site as _sync_site
from tracker.models import BoardIssue, JiraBoard, JiraSite, SiteKind, SyncRun
from tracker.models.types import utcnow
from tracker.policy import Action, Actor, require
from tracker.services.notify.outbox import sprints_closed

if TYPE_CHECKING:
    import pandas as pd

#: Variable names, upper case as environment variables are: a pasted token or email is refused
#: here rather than stored in the database.
VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")
DEPLOYMENTS = {SiteKind.cloud: {"Cloud"}, SiteKind.datacenter: {"Server", "DataCenter"}}


def _site(session: Session, name: str) -> JiraSite:
    site = session.exec(select(JiraSite).where(JiraSite.name == name)).first()
    if site is None:
        names = ", ".join(session.exec(select(JiraSite.name).order_by(JiraSite.name))) or "none yet"
        raise NotFound(f"there is no Jira site called '{name}' (sites: {names}).")
    return site


def _gateway(site: JiraSite, secrets_file: Path, retry: RetryPolicy | None) -> JiraGateway:
    if site.offline:
        raise Conflict(f"Jira site '{site.name}' is imported from files and has no connection.")
    return JiraGateway(site.url, site.kind, credentials_for(site, secrets_file), retry)


@dataclass(frozen=True)
class SiteSummary:
    """A site as the admin sees it: where it is, where its credentials come from, what is synced."""

    name: str
    url: str
    kind: str
    offline: bool
    credentials: str  # the names of the variables holding them, comma-separated
    credentials_missing: str  # those of them not set, "" when all are (or the site is offline)
    synced_boards: int
    last_sync: datetime | None  # the end of the latest successful sync or import
    last_run: str  # the outcome of the latest run ("running", "interrupted"...), "" when none
    last_run_at: datetime | None  # when it started


def list_sites(
    session: Session, actor: Actor, *, secrets_file: Path = SECRETS_FILE
) -> list[SiteSummary]:
    """Every site, by name, with its latest run (runs whose process is gone are marked
    interrupted first, so a killed sync never reads as running)."""
    require(actor, Action.manage_sites)
    mark_interrupted(session, utcnow())
    synced = dict(
        session.exec(
            select(JiraBoard.site_id, func.count())
            .where(JiraBoard.synced)
            .group_by(JiraBoard.site_id)  # type: ignore[arg-type]
        ).all()
    )
    last = dict(
        session.exec(
            select(SyncRun.site_id, func.max(SyncRun.finished_at))
            .where(SyncRun.outcome == "succeeded")
            .group_by(SyncRun.site_id)  # type: ignore[arg-type]
        ).all()
    )
    latest = session.exec(
        select(func.max(SyncRun.id)).group_by(SyncRun.site_id)  # type: ignore[arg-type]
    ).all()
    runs = {
        site_id: (outcome, started)
        for site_id, outcome, started in session.exec(
            select(SyncRun.site_id, SyncRun.outcome, SyncRun.started_at).where(
                SyncRun.id.in_(latest)  # type: ignore[union-attr]
            )
        )
    }
    return [
        SiteSummary(
            name=site.name,
            url=without_credentials(site.url),
            kind=SiteKind(site.kind).value,
            offline=site.offline,
            credentials=", ".join(variable_names(site)),
            credentials_missing=""
            if site.offline
            else ", ".join(missing_variables(site, secrets_file)),
            synced_boards=synced.get(site.id, 0),
            last_sync=last.get(site.id),
            last_run=str(runs[site.id][0]) if site.id in runs else "",
            last_run_at=runs[site.id][1] if site.id in runs else None,
        )
        for site in session.exec(select(JiraSite).order_by(JiraSite.name)).all()
    ]


def add_site(
    session: Session,
    actor: Actor,
    *,
    name: str,
    url: str,
    kind: str,
    token_env: str,
    email_env: str | None = None,
) -> JiraSite:
    """Register a live site by the names of the variables holding its credentials."""
    require(actor, Action.manage_sites)
    name, url = name.strip(), url.strip().rstrip("/")
    problems: list[str] = []
    site_kind = next((k for k in SiteKind if k.value == kind), None)
    if site_kind is None:
        problems.append(f"a site's kind is 'cloud' or 'datacenter', not '{kind}'.")
    if not name or len(name) > 100:
        problems.append("a site needs a name of at most 100 characters.")
    if has_credentials(url):
        problems.append(
            "the Jira address holds a user name or password, which tracker never stores: "
            f"{USE_VARIABLES}."
        )
    elif not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        problems.append(f"'{url}' is not a Jira address (expected https://...).")
    if site_kind is SiteKind.cloud and not email_env:
        problems.append("a Cloud site needs --email-env: the variable holding the account's email.")
    if any(v is not None and not VARIABLE_NAME.fullmatch(v) for v in (token_env, email_env)):
        problems.append(
            "--token-env and --email-env take the NAME of an environment variable "
            "(upper case, e.g. NORTHMOOR_JIRA_TOKEN), never the secret itself."
        )
    if problems or site_kind is None:
        raise Invalid.of(problems, "The Jira site was not added")
    if session.exec(select(JiraSite).where(JiraSite.name == name)).first():
        raise Conflict(f"a Jira site called '{name}' already exists.")
    site = JiraSite(
        name=name,
        url=url,
        kind=site_kind,
        token_env=token_env,
        email_env=email_env if site_kind is SiteKind.cloud else None,
    )
    session.add(site)
    session.flush()
    return site


@dataclass(frozen=True)
class ConnectionCheck:
    site: str
    user: str
    account: str
    deployment: str
    version: str

    def line(self) -> str:
        return (
            f"{self.site}: the credentials belong to {self.user} ({self.account}); "
            f"Jira {self.deployment} {self.version}"
        )


def check_site_connection(
    session: Session,
    actor: Actor,
    *,
    site_name: str,
    secrets_file: Path = SECRETS_FILE,
    retry: RetryPolicy | None = None,
) -> ConnectionCheck:
    """Check the credentials, say whose they are, and that the site is the kind registered."""
    require(actor, Action.manage_sites)
    site = _site(session, site_name)
    gateway = _gateway(site, secrets_file, retry)
    try:
        # serverInfo answers without credentials, so the kind is checked before they are.
        info = gateway.server_info()
        deployment = str(info.get("deploymentType") or "Server")
        if deployment not in DEPLOYMENTS[SiteKind(site.kind)]:
            raise SyncError(
                f"Jira site '{site.name}' is registered as {SiteKind(site.kind).value} but "
                f"{without_credentials(site.url)} is Jira {deployment}: remove the site and add "
                "it again with the right --kind."
            )
        me = gateway.myself()
    except JiraHttpError as exc:
        raise explain(exc, site, "checking the connection") from None
    return ConnectionCheck(
        site=site.name,
        user=str(me.get("displayName") or me.get("name") or "?"),
        account=str(me.get("emailAddress") or me.get("name") or me.get("accountId") or "?"),
        deployment=deployment,
        version=str(info.get("version") or "?"),
    )


def list_boards(
    session: Session,
    actor: Actor,
    *,
    site_name: str,
    refresh: bool = True,
    secrets_file: Path = SECRETS_FILE,
    retry: RetryPolicy | None = None,
) -> pd.DataFrame:
    """The site's boards (refreshed from Jira for a live site) and which ones are synced."""
    import pandas as pd

    require(actor, Action.manage_sites)
    site = _site(session, site_name)
    if refresh and not site.offline:
        try:
            found = _gateway(site, secrets_file, retry).boards()
        except JiraHttpError as exc:
            raise explain(exc, site, "listing boards") from None
        rows = [
            {
                "site_id": site.id,
                "jira_id": int(board["id"]),
                "name": str(board.get("name") or board["id"]),
                "board_type": str(board.get("type") or "scrum"),
                "project_key": (board.get("location") or {}).get("projectKey"),
            }
            for board in found
        ]
        upsert(session, JiraBoard, rows, ["site_id", "jira_id"])
    issues = dict(
        session.exec(
            select(BoardIssue.board_id, func.count())
            .where(BoardIssue.removed_at.is_(None))  # type: ignore[union-attr]
            .group_by(BoardIssue.board_id)  # type: ignore[arg-type]
        ).all()
    )
    boards = session.exec(
        select(JiraBoard).where(JiraBoard.site_id == site.id).order_by(JiraBoard.jira_id)
    ).all()
    return pd.DataFrame(
        [
            {
                "board_id": b.jira_id,
                "name": b.name,
                "type": b.board_type,
                "project": b.project_key,
                "synced": b.synced,
                "issues": issues.get(b.id, 0),
                "last_synced_at": b.last_synced_at,
            }
            for b in boards
        ],
        columns=["board_id", "name", "type", "project", "synced", "issues", "last_synced_at"],
    )


def choose_synced_boards(
    session: Session, actor: Actor, *, site_name: str, board_ids: Iterable[int]
) -> None:
    """Sync exactly these boards (Jira board ids) of the site from now on."""
    require(actor, Action.manage_sites)
    site = _site(session, site_name)
    wanted = set(board_ids)
    boards = session.exec(select(JiraBoard).where(JiraBoard.site_id == site.id)).all()
    unknown = wanted - {b.jira_id for b in boards}
    if unknown:
        raise NotFound(
            f"Jira site '{site.name}' has no board {min(unknown)} (list its boards to refresh)."
        )
    for board in boards:
        board.synced = board.jira_id in wanted
        session.add(board)


def recent_sync_runs(
    session: Session, actor: Actor, *, site_name: str | None = None, limit: int = 50
) -> pd.DataFrame:
    """The latest runs, newest first, with what each read and wrote and why it failed (runs
    whose process is gone marked interrupted first)."""
    import pandas as pd

    require(actor, Action.manage_sites)
    mark_interrupted(session, utcnow())
    query = (
        select(SyncRun, JiraSite.name, JiraBoard.name)
        .join(JiraSite, JiraSite.id == SyncRun.site_id)
        .outerjoin(JiraBoard, JiraBoard.id == SyncRun.board_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    )
    if site_name is not None:
        query = query.where(JiraSite.name == site_name)
    columns = ["site", "board", "started_at", "finished_at", "outcome", "full", "issues", "changed"]
    columns += ["events", "departed", "requests", "error"]
    rows = [
        {
            "site": site,
            "board": board,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "outcome": run.outcome,
            "full": run.full,
            "issues": run.counts.get("issues", 0),
            "changed": run.counts.get("changed", 0),
            "events": run.counts.get("events", 0),
            "departed": run.counts.get("departed", 0),
            "requests": run.requests,
            "error": run.error,
        }
        for run, site, board in session.exec(query).all()
    ]
    return pd.DataFrame(rows, columns=columns)


def sync_site(
    engine: Engine,
    actor: Actor,
    *,
    site_name: str,
    boards: Iterable[int] | None = None,
    full: bool = False,
    progress: ProgressCallback | None = None,
    options: SyncOptions | None = None,
) -> SiteSyncResult:
    """Sync a live site (see jira_sync.sync.sync_site); `boards` are added to its synced boards.
    Sprints the sync sees close are queued for their owners' digests in the same transaction."""
    require(actor, Action.manage_sites)
    options = replace(
        options or SyncOptions(),
        on_sprints_closed=_sprints_closed_by(actor),
        on_board_written=_store_sprint_reports_after,
    )
    result = _sync_site(engine, site_name, boards or (), full, progress, options)
    with options.write_lock:
        _store_burnups_after(engine, site_name)
    return result


def blocking_link_types(session: Session, actor: Actor, *, site: str) -> list[str]:
    """The issue link types that mean "blocks" on a site."""
    require(actor, Action.manage_sites)
    return list(_site(session, site).blocking_link_types)


def set_blocking_link_types(
    session: Session, actor: Actor, *, site: str, types: Iterable[str]
) -> list[str]:
    """Set the issue link types that mean "blocks" on a site (its admin may have made their
    own, such as "Depends on"); they apply to links the sync has stored already."""
    require(actor, Action.manage_sites)
    row = _site(session, site)
    names = list(dict.fromkeys(t.strip() for t in types if t.strip()))
    if not names or any(len(name) > 100 for name in names):
        raise Invalid(
            "name at least one link type, each up to 100 characters (Jira's own is Blocks)"
        )
    row.blocking_link_types = names
    session.add(row)
    return names


def _store_sprint_reports_after(session: Session, board_id: int, now: datetime) -> None:
    """Each closed sprint's report, worked out again once its board is written (when stale);
    imported here, not at the top, because listing sites must not import pandas."""
    from tracker.services.delivery.stored_reports import _store_sprint_reports

    _store_sprint_reports(session, board_id, now)


def _store_burnups_after(engine: Engine, site_name: str) -> None:
    """The burnup of each programme the site's data counts in, worked out again once the site
    is written (when stale), in its own transaction after the boards'."""
    from tracker.services.delivery.stored_burnup import _store_burnups

    with session_scope(engine) as session:
        _store_burnups(session, _site(session, site_name).id or 0, utcnow())


def _sprints_closed_by(actor: Actor) -> SprintsClosed:
    def closed(session: Session, sprint_ids: list[int]) -> None:
        sprints_closed(session, actor, sprint_ids=sprint_ids)

    return closed


def live_site_names(session: Session, actor: Actor) -> list[str]:
    """The sites a plain `tracker sync` syncs: every site that is not imported from files."""
    require(actor, Action.manage_sites)
    return list(
        session.exec(select(JiraSite.name).where(~JiraSite.offline).order_by(JiraSite.name))
    )  # type: ignore[arg-type]


def import_directory(engine: Engine, actor: Actor, *, directory: Path) -> ImportSummary:
    """Import a site saved to files (docs/jira-data.md); all or nothing."""
    require(actor, Action.manage_sites)
    summary = import_site_directory(
        engine,
        directory,
        on_sprints_closed=_sprints_closed_by(actor),
        on_board_written=_store_sprint_reports_after,
    )
    _store_burnups_after(engine, summary.site)
    return summary
