"""`tracker sync --all`: every synced board of every live site, the scheduled job's sync.

Sites are synced in parallel, a bounded number at once, because each spends its time waiting on
its own Jira; one site failing (unreachable, credentials revoked, a bug) never stops the others,
and the result names each failure. On SQLite, whose database takes one writer at a time, the
sites' board writes queue on a lock in this process while their reads from Jira overlap.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import partial

from sqlalchemy import Engine
from sqlmodel import col, select

from tracker.db import session_scope
from tracker.errors import (
    Invalid,
    NotFound,
    TrackerError,
)
from tracker.jira_sync.sync import SiteSyncResult, SyncOptions
from tracker.models import JiraBoard, JiraSite
from tracker.policy import Action, Actor, require
from tracker.services.jira.sites import sync_site

#: sites synced at once unless told otherwise
DEFAULT_PARALLEL = 4


@dataclass(frozen=True)
class SiteOutcome:
    site: str
    result: SiteSyncResult | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        return self.result.summary() if self.result else f"{self.site}: not synced"


def synced_site_names(engine: Engine, actor: Actor) -> list[str]:
    """Live sites with at least one synced board, by name."""
    require(actor, Action.manage_sites)
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(JiraSite.name)
                .join(JiraBoard, JiraBoard.site_id == JiraSite.id)
                .where(~col(JiraSite.offline), JiraBoard.synced)
                .distinct()
                .order_by(JiraSite.name)
            )
        )


def sync_all_sites(
    engine: Engine,
    actor: Actor,
    *,
    parallel: int = DEFAULT_PARALLEL,
    full: bool = False,
    options: SyncOptions | None = None,
    on_done: Callable[[SiteOutcome], None] | None = None,
) -> list[SiteOutcome]:
    """Sync every site with synced boards, `parallel` at a time; each site's outcome, by name
    (`on_done` hears each as it finishes)."""
    require(actor, Action.manage_sites)
    if parallel < 1:
        raise Invalid("--parallel must be at least 1.")
    names = synced_site_names(engine, actor)
    if not names:
        raise NotFound(
            "no Jira site has synced boards: choose some with tracker sync --site NAME --board ID."
        )
    sqlite = engine.dialect.name == "sqlite"
    options = replace(
        options or SyncOptions(),
        write_lock=threading.RLock() if sqlite else nullcontext(),
    )
    outcomes = []
    with ThreadPoolExecutor(max_workers=min(parallel, len(names))) as pool:
        futures = {
            pool.submit(
                partial(
                    sync_site, engine, actor, site_name=name, boards=(), full=full, options=options
                )
            ): name
            for name in names
        }
        for future in as_completed(futures):
            name = futures[future]
            try:
                result = future.result()
            except TrackerError as exc:
                outcome = SiteOutcome(name, None, str(exc))
            except Exception as exc:  # a bug in one site's sync must not hide the others'
                outcome = SiteOutcome(name, None, f"unexpected {type(exc).__name__}: {exc}")
            else:
                outcome = SiteOutcome(name, result, result.error_line() or None)
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    return sorted(outcomes, key=lambda o: o.site)
