"""ASVS probe finding 10: `tracker site list` crashed (NaT strftime) once a site had never synced.

The sites were a pandas frame, so a site without a good sync read NaT beside sites with one, and
formatting it raised. Sites are now plain records (None for never) and times go through
`uk_time`, which takes None and NaT alike. Held here for the command and the Jira sites page: a
live site never synced, and one whose only run failed, beside the demo's synced sites.
"""

import os
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.support.cli import run_tracker
from tests.support.roles import ADMIN
from tracker.db import create_tracker_engine, session_scope
from tracker.models import JiraSite, SiteKind, SyncOutcome, SyncRun
from tracker.models.types import utcnow

UK_TIME = r"\d\d \w{3} \d{4} \d\d:\d\d (GMT|BST)"


@pytest.fixture
def sites_never_synced(demo_sqlite_url: str) -> str:
    """The demo (two synced sites) plus eastvale, never synced, and southmere, whose one run
    failed."""
    engine = create_tracker_engine(demo_sqlite_url)
    with session_scope(engine) as session:
        for name in ("eastvale", "southmere"):
            session.add(
                JiraSite(
                    name=name,
                    url=f"https://jira.{name}.gov.uk",
                    kind=SiteKind.datacenter,
                    token_env=f"{name.upper()}_PAT",
                )
            )
        session.flush()
        southmere = session.exec(select(JiraSite).where(JiraSite.name == "southmere")).one()
        started = utcnow() - timedelta(minutes=5)
        session.add(
            SyncRun(
                site_id=southmere.id,
                started_at=started,
                finished_at=started + timedelta(seconds=3),
                outcome=SyncOutcome.failed,
                error="Jira site 'southmere' did not accept the credentials (HTTP 401).",
            )
        )
    engine.dispose()
    return demo_sqlite_url


def test_site_list_prints_sites_that_never_synced(sites_never_synced: str) -> None:
    result = run_tracker("site", "list", env={**os.environ, "DATABASE_URL": sites_never_synced})

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert set(lines) == {"eastvale", "northmoor", "southmere", "westbridge"}
    assert lines["eastvale"].endswith(", 0 synced boards")
    assert "last synced" not in lines["southmere"]
    assert re.search(rf", last run failed \(started {UK_TIME}\)$", lines["southmere"])
    assert re.search(rf", last synced {UK_TIME}$", lines["northmoor"])


def test_the_jira_sites_page_says_never(demo_app, sites_never_synced: str) -> None:
    at = demo_app(ADMIN, "pages/admin/jira_sites.py")

    sites = at.dataframe[0].value.set_index("Site")
    assert sites.loc["eastvale", "Last good sync (UK time)"] == "never"
    assert sites.loc["eastvale", "Latest run (UK time)"] == "none yet"
    assert sites.loc["southmere", "Last good sync (UK time)"] == "never"
    assert re.fullmatch(UK_TIME, sites.loc["northmoor", "Last good sync (UK time)"])
    assert not sites.isna().any().any()
