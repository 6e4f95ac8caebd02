"""One run at a time of each scheduled job (`tracker sync --all`, `tracker notify send`,
`tracker notify digest`), whatever starts them: cron, a systemd timer, a Kubernetes CronJob, or
someone at a terminal while the timer fires.

The lock is the database's, so it holds across every host that shares the database: a
PostgreSQL session-level advisory lock, on a connection kept open for the run and released when
it closes (also when the process dies). SQLite databases are files on one host, so the lock is
an exclusive `flock` on a file beside the database, which the kernel releases when the process
ends; a SQLite database in memory belongs to one process and needs none. A second run finds the
lock taken and stops at once with JobRunning, having done nothing.
"""

import fcntl
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from tracker.errors import (
    Conflict,
)

#: the first key of tracker's two-key advisory locks ("jobs"); the second is the job's
LOCK_NAMESPACE = 0x6A6F6273


class JobRunning(Conflict):
    """Another run of the same job holds its lock."""


def _busy(job: str, since: str | None = None) -> JobRunning:
    held = f" (since {since})" if since else ""
    return JobRunning(
        f"`tracker {job}` is already running{held}: this run stopped without doing anything."
    )


def _key(job: str) -> int:
    """The job's name as a signed 32-bit key, as pg_try_advisory_lock(int, int) takes."""
    value = zlib.crc32(job.encode())
    return value - 2**32 if value >= 2**31 else value


@contextmanager
def _postgres_lock(engine: Engine, job: str) -> Iterator[None]:
    keys = {"namespace": LOCK_NAMESPACE, "key": _key(job)}
    with engine.connect() as connection:
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:namespace, :key)"), keys
        ).scalar_one()
        connection.commit()  # the lock is the session's: no transaction stays open for the run
        if not got:
            raise _busy(job)
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:namespace, :key)"), keys)
            connection.commit()


def lock_path(database: str, job: str) -> Path:
    """The lock file of a job beside a SQLite database file."""
    slug = re.sub(r"[^a-z0-9]+", "-", job.lower()).strip("-")
    path = Path(database)
    return path.with_name(f"{path.name}.{slug}.lock")


@contextmanager
def _file_lock(database: str, job: str) -> Iterator[None]:
    path = lock_path(database, job)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise _busy(job, handle.read().strip() or None) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).strftime("%d %b %Y %H:%M UTC")
        handle.write(f"{started}, process {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def job_lock(engine: Engine, job: str) -> Iterator[None]:
    """Hold `job`'s lock for the block, or raise JobRunning at once if another run holds it."""
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine, job):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with _file_lock(database, job):
        yield
