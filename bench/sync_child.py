"""One measured run of bench/sync_scale.py in a process of its own, so that its peak memory is its
own: `python -m bench.sync_child JSON` prints a JSON object of seconds, CPU seconds and megabytes.

The modes: `bare` (the bare `jira` client paging every board's issues with changelog), `sync` (a
full sync into the database at `db`), `report` (the programme report over what `sync` stored).
CPU is the whole process's (every thread), from the start of the work to its end; `peak_mb` is
the process's high-water resident memory during the work (the mark is reset as it begins, so an
untimed step before it, like the report's programme load, does not count), `base_mb` what was
resident as it began (the interpreter, its imports and what the steps before it hold).
"""

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _peak_mb() -> float:
    """The process's high-water resident memory. Not getrusage's ru_maxrss: Linux carries that
    over from the parent across fork and exec, so a child of a big parent would report its
    parent's size; /proc's VmHWM is this program's own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Start the high-water mark again from what is resident now (Linux 4.0 and later)."""
    clear = Path("/proc/self/clear_refs")
    if clear.exists():
        clear.write_text("5")


def _measured(work: Callable[[], Any]) -> dict[str, Any]:
    _reset_peak()
    base = _peak_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if os.environ.get("BENCH_PROFILE"):  # where the time goes, by function, to stderr
        import cProfile
        import pstats

        with cProfile.Profile() as profile:
            found = work()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    else:
        found = work()
    return {
        "seconds": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "base_mb": base,
        "found": found,
    }


def bare(job: dict[str, Any]) -> dict[str, Any]:
    from jira import JIRA

    client = JIRA(server=job["url"], basic_auth=(job["email"], job["token"]))

    def work() -> int:
        return sum(
            len(client.search_issues(jql, maxResults=False, fields=fields, expand="changelog"))
            for jql, fields in job["queries"]
        )

    return _measured(work)


def sync(job: dict[str, Any]) -> dict[str, Any]:
    from tracker.db import create_tracker_engine
    from tracker.jira_sync.sync import SyncOptions, sync_site

    engine = create_tracker_engine(job["db"])
    offset = timedelta(seconds=job["clock_offset"])
    options = SyncOptions(
        secrets_file=Path(job["secrets_file"]), clock=lambda: datetime.now(UTC) + offset
    )

    def work() -> int:
        result = sync_site(engine, "bench", job["boards"], options=options)
        if not result.ok:
            raise SystemExit(result.error_line())
        return sum(board.counts["issues"] for board in result.boards)

    return _measured(work)


def report(job: dict[str, Any]) -> dict[str, Any]:
    """Load a programme of one deliverable per board (untimed), then time its report worked
    out from the synced data: the burnup the load stored is dropped first, so the report does
    what each sync and load does to store it (and what it did before it was stored)."""
    from sqlalchemy import delete
    from sqlmodel import Session

    from tracker.db import create_tracker_engine, session_scope
    from tracker.models import StoredBurnup
    from tracker.policy import OPERATOR
    from tracker.services.delivery.sprints import programme_progress
    from tracker.services.programme.file import load_programme_file

    engine = create_tracker_engine(job["db"])
    with session_scope(engine) as session:
        load_programme_file(session, OPERATOR, path=Path(job["programme_file"]))
        session.execute(delete(StoredBurnup))
    with Session(engine) as session:

        def work() -> int:
            progress = programme_progress(session, OPERATOR, programme_id=1)
            return len(progress.targets)

        return _measured(work)


def main() -> None:
    job = json.loads(sys.argv[1])
    found = {"bare": bare, "sync": sync, "report": report}[job["mode"]](job)
    import tracker

    found["tracker"] = str(Path(tracker.__file__).parent)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
