"""ASVS probe finding 11: killed syncs left their runs "running" forever.

A sync killed mid-run never reaches the code that closes its run. Each run now records its host
and process; a new run, `tracker site list` and the Jira sites page mark a run whose process is
gone (or that has run past the timeout) as interrupted, and show it so. Proved with a real
`tracker sync` SIGKILLed mid-board, and with run rows whose process is dead, reused or far away.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from tests.jira_server.fixtures import jira_server  # noqa: F401
from tests.jira_server.sample import build_site
from tests.jira_server.server import PAT, JiraServer
from tests.support.roles import ADMIN
from tracker.cli import app
from tracker.db import create_tracker_engine, session_scope
from tracker.jira_sync.runs import STALE_AFTER, start_run, this_host
from tracker.models import JiraBoard, JiraSite, SiteKind, SyncOutcome, SyncRun
from tracker.models.types import utcnow

pytestmark = pytest.mark.db

TOKEN_ENV = "EASTVALE_PAT"


def _wait_for(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def tracker(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


@pytest.fixture
def site(engine: Engine) -> int:
    with session_scope(engine) as session:
        row = JiraSite(name="eastvale", url="http://127.0.0.1:9", kind=SiteKind.datacenter)
        row.token_env = TOKEN_ENV
        session.add(row)
        session.flush()
        return row.id or 0


@pytest.fixture
def finished_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The id of a process that is running (and started just now)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield child.pid
    child.kill()
    child.wait()


def _run(engine: Engine, site_id: int, **values: object) -> int:
    with session_scope(engine) as session:
        values = {"started_at": utcnow() - timedelta(minutes=1), **values}
        row = SyncRun(site_id=site_id, outcome=SyncOutcome.running, **values)
        session.add(row)
        session.flush()
        return row.id or 0


def _outcome(engine: Engine, run_id: int) -> tuple[str, str | None]:
    with Session(engine) as session:
        run = session.get(SyncRun, run_id)
        assert run is not None
        return str(run.outcome), run.error


def test_a_run_whose_process_is_gone_reads_interrupted_in_site_list(
    tracker: Callable[..., Result], engine: Engine, site: int, finished_pid: int
) -> None:
    run_id = _run(engine, site, host=this_host(), pid=finished_pid)

    listed = tracker("site", "list")

    assert listed.exit_code == 0, listed.output
    assert "last run interrupted (started " in listed.stdout
    outcome, error = _outcome(engine, run_id)
    assert outcome == "interrupted" and "its process ended" in (error or "")


def test_a_new_run_marks_only_the_runs_that_cannot_finish(
    engine: Engine, site: int, finished_pid: int, live_pid: int
) -> None:
    now = utcnow()
    gone = _run(engine, site, host=this_host(), pid=finished_pid)
    going = _run(engine, site, host=this_host(), pid=os.getpid())
    reused = _run(engine, site, host=this_host(), pid=live_pid, started_at=now - timedelta(hours=1))
    elsewhere = _run(engine, site, host="another-host", pid=finished_pid)
    stale = _run(engine, site, host="another-host", pid=1, started_at=now - STALE_AFTER * 1.1)
    legacy = _run(engine, site, started_at=now - STALE_AFTER * 2)

    start_run(engine, site, None, False, now)

    assert _outcome(engine, gone)[0] == "interrupted"
    assert _outcome(engine, going)[0] == "running"  # this process: still going
    assert _outcome(engine, reused)[0] == "interrupted"  # the id now belongs to a newer process
    assert _outcome(engine, elsewhere)[0] == "running"  # another host: only the timeout tells
    assert _outcome(engine, stale) == (
        "interrupted",
        "the sync stopped without finishing: still unfinished after 6 hours",
    )
    assert _outcome(engine, legacy)[0] == "interrupted"  # recorded before processes were


def test_the_jira_sites_page_shows_interrupted_runs(
    demo_app, demo_sqlite_url: str, finished_pid: int
) -> None:
    demo = create_tracker_engine(demo_sqlite_url)
    with Session(demo) as session:
        northmoor = session.exec(select(JiraSite.id).where(JiraSite.name == "northmoor")).one()
    _run(demo, northmoor, host=this_host(), pid=finished_pid, started_at=utcnow())
    demo.dispose()

    at = demo_app(ADMIN, "pages/admin/jira_sites.py")

    sites = at.dataframe[0].value.set_index("Site")
    assert sites.loc["northmoor", "Latest run (UK time)"].startswith("interrupted, started ")
    assert sites.loc["westbridge", "Latest run (UK time)"].startswith("succeeded, started ")
    runs = at.dataframe[-1].value
    latest = runs.iloc[0]
    assert (latest["Site"], latest["Outcome"]) == ("northmoor", "interrupted")
    assert latest["Finished (UK time)"] == "did not finish"
    assert "its process ended" in latest["Error"]


def test_a_sync_killed_mid_board_is_interrupted_for_the_next_run(
    engine: Engine,
    site: int,
    tracker: Callable[..., Result],
    jira_server: Callable[..., JiraServer],  # noqa: F811
    tmp_path: Path,
) -> None:
    server = jira_server(build_site("datacenter"), "datacenter")
    with session_scope(engine) as session:
        session.get(JiraSite, site).url = server.url  # type: ignore[union-attr]
    # Jira asks the board's first read to wait ten minutes: the sync is mid-board when killed.
    server.fail(r"/board/1/", 429, times=1, retry_after=600)
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        TOKEN_ENV: PAT,
    }
    sync = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "sync", "--site", "eastvale", "--board", "1"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def board_run() -> SyncRun | None:
        with Session(engine) as session:
            return session.exec(select(SyncRun).where(SyncRun.board_id.is_not(None))).first()

    try:
        _wait_for(lambda: server.count(r"/board/1/") >= 1 and board_run(), "the board's run")
    finally:
        sync.send_signal(signal.SIGKILL)
        sync.wait()
    run = board_run()
    assert run is not None and run.outcome == SyncOutcome.running  # nothing closed it
    assert run.pid == sync.pid and run.host == this_host()

    listed = tracker("site", "list")
    assert "last run interrupted (started " in listed.stdout
    assert _outcome(engine, run.id or 0)[0] == "interrupted"

    # the next sync runs normally after it
    with session_scope(engine) as session:
        session.execute(delete(SyncRun).where(SyncRun.id != run.id))
        assert session.exec(select(JiraBoard.synced).where(JiraBoard.jira_id == 1)).one()
    again = subprocess.run(
        [sys.executable, "-m", "tracker.cli", "sync", "--site", "eastvale"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "last run" not in tracker("site", "list").stdout
