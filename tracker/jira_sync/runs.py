"""Recording each sync run (SyncRun): started, finished, outcome, counts, requests made.

A run is opened in its own short transaction before anything is fetched, so a sync that dies
without a word still leaves a "running" row behind to explain the gap. The row names the host and
process running it, so that gap is found: a later run, `tracker site list` and the Jira sites page
mark a "running" run as interrupted when its process is gone (checked on the same host; a process
id reused by a newer process does not count) or when it has run longer than `STALE_AFTER`, which
is all that can be known of a run on another host.
"""

import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from tracker.db import session_scope
from tracker.models import SyncOutcome, SyncRun

#: a run still "running" after this long is taken to have died (a full sync of a large board
#: takes minutes; the scheduled sync runs every 15)
STALE_HOURS = 6
STALE_AFTER = timedelta(hours=STALE_HOURS)
#: the process start time read from /proc is in clock ticks since boot, which is whole seconds
_SLACK = timedelta(seconds=2)
GONE = "the sync stopped without finishing: its process ended (killed, crashed or restarted)"
STALE = f"the sync stopped without finishing: still unfinished after {STALE_HOURS} hours"


@cache
def this_host() -> str:
    return socket.gethostname()[:255]


def start_run(
    engine: Engine, site_id: int, board_id: int | None, full: bool, started_at: datetime
) -> int:
    """Open a run (marking any run whose process is gone as interrupted first)."""
    with session_scope(engine) as session:
        mark_interrupted(session, started_at)
        run = SyncRun(
            site_id=site_id,
            board_id=board_id,
            started_at=started_at,
            full=full,
            host=this_host(),
            pid=os.getpid(),
        )
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


def _boot_time() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def _process_started(pid: int) -> datetime | None:
    """When the process started, from /proc (Linux); None where that cannot be read."""
    boot = _boot_time()
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22, starttime; the fields after the name start at 3
    except (OSError, IndexError, ValueError):
        return None
    if boot is None:
        return None
    return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), UTC)


def process_gone(pid: int, started_at: datetime) -> bool:
    """Whether process `pid` on this host has ended since it started a run at `started_at`: no
    such process, or one that started after the run did (the id reused)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # another user's process, alive
    began = _process_started(pid)
    return began is not None and began > started_at + _SLACK


def mark_interrupted(session: Session, now: datetime) -> int:
    """Mark "running" runs that can no longer finish as interrupted, in the caller's transaction;
    returns how many. Their `finished_at` stays empty: nobody knows when they stopped."""
    running = session.exec(
        select(SyncRun.id, SyncRun.started_at, SyncRun.host, SyncRun.pid).where(
            SyncRun.outcome == SyncOutcome.running
        )
    ).all()
    stopped: dict[int, str] = {}
    for run_id, started_at, host, pid in running:
        if now - started_at > STALE_AFTER:
            stopped[run_id] = STALE
        elif host == this_host() and pid is not None and process_gone(pid, started_at):
            stopped[run_id] = GONE
    for run_id, reason in stopped.items():
        session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id, SyncRun.outcome == SyncOutcome.running)  # type: ignore[arg-type]
            .values(outcome=SyncOutcome.interrupted.value, error=reason)
        )
    return len(stopped)
