"""Recording each sync run (SyncRun): started, finished, outcome, counts, requests made.

A run is opened in its own short transaction before anything is fetched, so a sync that dies
without a word still leaves a "running" row behind to explain the gap.
"""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session

from tracker.db import session_scope
from tracker.models import SyncOutcome, SyncRun


def start_run(
    engine: Engine, site_id: int, board_id: int | None, full: bool, started_at: datetime
) -> int:
    with session_scope(engine) as session:
        run = SyncRun(site_id=site_id, board_id=board_id, started_at=started_at, full=full)
        session.add(run)
        session.flush()
        assert run.id is not None
        return run.id


def finish_run(
    session: Session,
    run_id: int,
    outcome: SyncOutcome,
    finished_at: datetime,
    requests: int,
    counts: Mapping[str, int] | None = None,
    error: str | None = None,
) -> None:
    """Close a run, in the caller's transaction: a success commits with the data it wrote."""
    session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id)  # type: ignore[arg-type]
        .values(
            outcome=outcome.value,
            finished_at=finished_at,
            requests=requests,
            counts=dict(counts or {}),
            error=error,
        )
    )
