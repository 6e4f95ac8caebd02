"""`tracker sync --all`, the scheduled sync: several test Jira servers synced in parallel, one of
them failing, on SQLite and PostgreSQL; and a sprint that closes reaching its owner's digest."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from tests.jira_server.fixtures import JiraServerFactory
from tests.jira_server.sample import build_site
from tests.jira_server.server import API_TOKEN, EMAIL, JiraServer
from tests.support.jira import EMAIL_ENV, TOKEN_ENV
from tests.support.stored_burnup import assert_same_progress, progress_both_ways
from tracker.cli import app
from tracker.db import session_scope
from tracker.jira_sync import store
from tracker.models import (
    DeliverableScope,
    JiraBoard,
    JiraSite,
    Notification,
    NotificationKind,
    Organisation,
    Person,
    Programme,
    Role,
    ScopeKind,
    SiteKind,
    StoredBurnup,
    SyncRun,
    User,
)
from tracker.models.delivery import Deliverable
from tracker.services.auth.users import actor_for_email
from tracker.services.delivery.stored_burnup import _inputs
from tracker.services.notify.history import preview

SITES = ("eastvale", "northmoor", "westbridge")


@pytest.fixture
def tracker(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Result]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv(EMAIL_ENV, EMAIL)
    monkeypatch.setenv(TOKEN_ENV, API_TOKEN)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    return run


def _sites(engine: Engine, jira_server: JiraServerFactory, **options: Any) -> dict[str, JiraServer]:
    """Three Cloud sites, each syncing its REV board (Jira board 1)."""
    servers = {name: jira_server(build_site("cloud"), "cloud", **options) for name in SITES}
    with session_scope(engine) as session:
        for name, server in servers.items():
            site = JiraSite(
                name=name,
                url=server.url,
                kind=SiteKind.cloud,
                token_env=TOKEN_ENV,
                email_env=EMAIL_ENV,
            )
            session.add(site)
            session.flush()
            session.add(JiraBoard(site_id=site.id or 0, jira_id=1, name="REV board", synced=True))
    return servers


def _outcomes(engine: Engine) -> dict[str, set[str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(JiraSite.name, SyncRun.outcome).join(JiraSite, JiraSite.id == SyncRun.site_id)
        ).all()
    found: dict[str, set[str]] = {}
    for name, outcome in rows:
        found.setdefault(name, set()).add(str(outcome))
    return found


def test_every_site_syncs_in_parallel_and_a_failed_one_is_named_without_stopping_the_others(
    engine: Engine, jira_server: JiraServerFactory, tracker: Callable[..., Result]
) -> None:
    servers = _sites(engine, jira_server)
    servers["northmoor"].fail(r".*", 401, times=None)  # its token was revoked

    result = tracker("sync", "--all", "--parallel", "2")

    assert result.exit_code == 1
    assert "error: 1 of 3 sites did not sync completely: northmoor" in result.stderr
    assert "Jira site 'northmoor'" in result.stderr
    for good in ("eastvale", "westbridge"):
        assert f"{good}: 1 of 1 boards synced, 6 issues read" in result.stdout
    assert _outcomes(engine) == {
        "eastvale": {"succeeded"},
        "northmoor": {"failed"},
        "westbridge": {"succeeded"},
    }
    for good in ("eastvale", "westbridge"):
        assert servers[good].count(r"/search/jql$") >= 1


def test_on_sqlite_sites_synced_in_parallel_take_turns_to_write_a_board(
    engine: Engine,
    jira_server: JiraServerFactory,
    tracker: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A board is read and written page by page in one transaction, which on SQLite holds the
    database's only write lock: a second site writing meanwhile would wait on it and fail with
    'database is locked' on a board of any size. So each board's transaction runs alone there
    (PostgreSQL lets them overlap)."""
    _sites(engine, jira_server, search_page_limit=1)  # six pages a board
    steps: list[tuple[str, int]] = []
    begin, finish = store.BoardWriter.begin, store.BoardWriter.finish

    def begun(writer: store.BoardWriter, *args: Any) -> int:
        steps.append(("begin", writer.site_id))
        return begin(writer, *args)

    def finished(writer: store.BoardWriter, *args: Any) -> store.BoardCounts:
        counts = finish(writer, *args)
        steps.append(("finish", writer.site_id))
        return counts

    monkeypatch.setattr(store.BoardWriter, "begin", begun)
    monkeypatch.setattr(store.BoardWriter, "finish", finished)

    result = tracker("sync", "--all", "--parallel", "3")

    assert result.exit_code == 0, result.stderr
    assert sorted(steps) == sorted(
        [("begin", n) for n in (1, 2, 3)] + [("finish", n) for n in (1, 2, 3)]
    )
    if engine.dialect.name == "sqlite":
        assert all(
            steps[i][0] == "begin" and steps[i + 1] == ("finish", steps[i][1])
            for i in range(0, len(steps), 2)
        ), steps


def test_sync_all_refuses_site_and_board_and_a_pool_of_none(
    engine: Engine, jira_server: JiraServerFactory, tracker: Callable[..., Result]
) -> None:
    _sites(engine, jira_server)

    mixed = tracker("sync", "--all", "--site", "northmoor")
    none = tracker("sync", "--all", "--parallel", "0")

    assert mixed.exit_code == 2 and "--all syncs every site" in mixed.stderr
    assert none.exit_code == 1 and "--parallel must be at least 1" in none.stderr


def _owned_deliverable(engine: Engine) -> int:
    """RB-01 owned by Tom (a project owner with an account), scoped to eastvale's REV board."""
    with session_scope(engine) as session:
        council = Organisation(name="Northmoor District Council", kind="council")
        programme = Programme(name="Marshland")
        session.add_all([council, programme])
        session.flush()
        tom = Person(organisation_id=council.id or 0, name="Tom", email="tom@northmoor.example")
        session.add(tom)
        session.flush()
        session.add(User(person_id=tom.id or 0, role=Role.project_owner))
        deliverable = Deliverable(
            programme_id=programme.id or 0,
            ref="RB-01",
            title="Revenues",
            owner_org_id=council.id or 0,
            owner_person_id=tom.id,
        )
        session.add(deliverable)
        session.flush()
        site = session.exec(select(JiraSite).where(JiraSite.name == "eastvale")).one()
        session.add(
            DeliverableScope(
                deliverable_id=deliverable.id or 0,
                site_id=site.id or 0,
                kind=ScopeKind.board,
                value="1",
            )
        )
        return tom.id or 0


def test_a_sprint_closing_in_jira_goes_to_its_owners_digest_once(
    engine: Engine, jira_server: JiraServerFactory, tracker: Callable[..., Result]
) -> None:
    servers = _sites(engine, jira_server)
    tom = _owned_deliverable(engine)
    assert tracker("sync", "--all").exit_code == 0  # REV Sprint 1 was closed already: no news

    closed_at = datetime(2026, 2, 2, 9, 0, tzinfo=UTC).isoformat().replace("+00:00", "Z")
    servers["eastvale"].update_sprint(2, state="closed", completeDate=closed_at)
    tracker("sync", "--all")
    tracker("sync", "--all")

    with Session(engine) as session:
        queued = session.exec(select(Notification)).all()
    assert [(n.kind, n.person_id, n.event_key) for n in queued] == [
        (NotificationKind.sprint_closed, tom, f"sprint:{queued[0].facts['sprint_id']}:closed")
    ]
    with session_scope(engine) as session:
        owner = actor_for_email(session, "tom@northmoor.example")
        shown = preview(session, owner, email="tom@northmoor.example")
    assert shown.immediate == [] and shown.digest is not None
    text = shown.digest.text()
    assert "RB-01 Revenues: REV Sprint 2 closed" in text
    assert "Committed " in text and "; completed " in text and " not completed." in text
    assert "Carried over: " in text and "to backlog" in text
    assert "Whom to engage next: none." in text
    assert "/sprint-review?deliverable=RB-01" in text


def test_sites_synced_together_leave_their_shared_programme_s_burnup_stored_current(
    engine: Engine, jira_server: JiraServerFactory, tracker: Callable[..., Result]
) -> None:
    """Each site's sync ends by storing the burnups of the programmes it counts in; with three
    sites of one programme ending together, the burnup left stored is the one of all three."""
    _sites(engine, jira_server)
    with session_scope(engine) as session:
        council = Organisation(name="Northmoor District Council", kind="council")
        programme = Programme(name="Marshland")
        session.add_all([council, programme])
        session.flush()
        for site in session.exec(select(JiraSite)).all():
            deliverable = Deliverable(
                programme_id=programme.id or 0,
                ref=f"REV-{site.name}",
                title=f"Revenues at {site.name}",
                owner_org_id=council.id or 0,
            )
            session.add(deliverable)
            session.flush()
            scope = DeliverableScope(
                deliverable_id=deliverable.id or 0,
                site_id=site.id or 0,
                kind=ScopeKind.board,
                value="1",
            )
            session.add(scope)
        programme_id = programme.id or 0

    assert tracker("sync", "--all", "--parallel", "3").exit_code == 0

    with Session(engine) as session:
        row = session.exec(select(StoredBurnup)).one()
        assert row.inputs == _inputs(session, programme_id)
        assert len(row.inputs["runs"]) == 3  # every site's run counted
        now = pd.Timestamp(row.computed_at)
        stored, live = progress_both_ways(session, programme_id, now, "issues")
    assert stored.deliverables["deliverable_id"].nunique() == 3
    assert_same_progress(stored, live, "sync --all")
