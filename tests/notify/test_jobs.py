"""One run at a time of each scheduled job, on SQLite and PostgreSQL: a second run stops at once
with one line, other jobs are not held up, and a run that dies releases its lock."""

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import Engine

from tests.support.cli import run_tracker
from tests.support.deploy import crontab_jobs
from tracker.jobs import JobRunning, job_lock

#: each command the deploy/ examples run, and the name of its lock
JOBS = {command: " ".join(command) for command in sorted(crontab_jobs())}


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_second_run_of_the_same_job_is_refused_and_other_jobs_are_not(engine: Engine) -> None:
    with job_lock(engine, "notify send"):
        with pytest.raises(JobRunning) as refused, job_lock(engine, "notify send"):
            pass
        with job_lock(engine, "notify digest"), job_lock(engine, "sync --all"):
            pass
    with job_lock(engine, "notify send"):
        pass  # released at the end of the first

    assert str(refused.value).startswith("`tracker notify send` is already running") and str(
        refused.value
    ).endswith("this run stopped without doing anything.")


@pytest.mark.parametrize(("command", "job"), list(JOBS.items()))
def test_an_overlapping_scheduled_run_exits_at_once_with_one_line(
    engine: Engine, command: tuple[str, ...], job: str
) -> None:
    env = {**os.environ, "DATABASE_URL": _url(engine)}
    env.pop("TRACKER_SMTP_HOST", None)
    with job_lock(engine, job):
        started = time.monotonic()
        overlapping = run_tracker(*command, env=env)
        took = time.monotonic() - started
    alone = run_tracker(*command, env=env)

    lines = overlapping.stderr.strip().splitlines()
    assert overlapping.returncode == 1 and len(lines) == 1
    assert lines[0].startswith(f"error: `tracker {job}` is already running")
    assert overlapping.stdout == ""
    assert took < 30  # it did not wait for the lock
    # alone, the job runs (and, on an empty database, says what is missing instead)
    assert "already running" not in alone.stderr


_HOLD = """
import sys
from tracker.db import create_tracker_engine
from tracker.jobs import job_lock
with job_lock(create_tracker_engine(sys.argv[1]), "notify send"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_run_that_dies_releases_its_lock(engine: Engine) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, _url(engine)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(JobRunning), job_lock(engine, "notify send"):
            pass
    finally:
        holder.kill()
        holder.wait()

    deadline = time.monotonic() + 30
    while True:  # the database notices the dead connection's end within moments
        try:
            with job_lock(engine, "notify send"):
                break
        except JobRunning:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
