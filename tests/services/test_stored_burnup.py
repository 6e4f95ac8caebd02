"""The programme burnup stored at sync time gives the very figures worked out live, and is never
read once what it counts has changed.

The burndown page's programme burnup is read from programme_burnup
(tracker/services/delivery/stored_burnup.py), worked out when a sync, an import or a programme
load last changed its inputs, and carried on to the day asked. Each test here reads the figures
both ways (the stored row dropped in the same transaction), or shows that a change of scope
rules, a sync since, new JQL matches or a new rules version makes the page work them out live.
"""

from datetime import UTC, datetime
from unittest import mock

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, select, update
from sqlmodel import Session

from tests.support.stored_burnup import assert_same_progress, progress_both_ways, refusing_live
from tracker.demo.loader import DEMO_DIR
from tracker.models import (
    DeliverableJqlMatch,
    DeliverableScope,
    JiraBoard,
    JiraIssue,
    ScopeKind,
    StoredBurnup,
    SyncOutcome,
    SyncRun,
)
from tracker.policy import OPERATOR
from tracker.services.delivery import stored_burnup
from tracker.services.delivery.sprints import ProgrammeProgress, programme_progress
from tracker.services.delivery.stored_burnup import _inputs, _store_burnup
from tracker.services.jira.sites import import_directory

pytestmark = pytest.mark.db

#: after the demo's last change (27 November 2026): the day the burnup is stored
STORED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
READ_AT = {
    # the stored day: the forecasts are the stored ones
    "the stored day": pd.Timestamp(STORED_AT) + pd.Timedelta(hours=5),
    # counts carried on flat for weeks, forecasts worked out from them
    "weeks later": pd.Timestamp("2027-01-10 08:00", tz="UTC"),
    # the last change's own day: nothing to carry on
    "the last change's day": pd.Timestamp("2026-11-27 23:30", tz="UTC"),
}


def stored_again(session: Session) -> None:
    session.execute(delete(StoredBurnup))
    assert _store_burnup(session, 1, STORED_AT)


def progress(session: Session, now: pd.Timestamp = READ_AT["the stored day"]) -> ProgrammeProgress:
    return programme_progress(session, OPERATOR, programme_id=1, now=now)


def live_spy() -> mock._patch:  # type: ignore[type-arg]
    return mock.patch.object(stored_burnup, "_live_burnup", wraps=stored_burnup._live_burnup)


@pytest.mark.parametrize("measure", ["issues", "points"])
@pytest.mark.parametrize("read_at", sorted(READ_AT))
def test_the_demo_reads_the_same_burnup_stored_as_live(
    demo_engine: Engine, measure: str, read_at: str
) -> None:
    with Session(demo_engine) as session:
        stored_again(session)
        session.commit()
        stored, live = progress_both_ways(session, 1, READ_AT[read_at], measure)  # type: ignore[arg-type]
    assert len(stored.burnup) > 100 and stored.deliverables["deliverable_id"].nunique() == 7
    assert stored.forecast["date"].notna().any()
    assert_same_progress(stored, live, read_at)


def test_the_stored_day_reads_the_stored_forecasts(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        stored_again(session)
        refuse = mock.patch.object(
            stored_burnup, "_forecasts", side_effect=AssertionError("forecast again")
        )
        with refusing_live(), refuse:
            found = progress(session)
    assert found.deliverable_forecasts["date"].notna().any()


def test_a_day_before_the_last_change_is_worked_out_live(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        stored_again(session)
        with live_spy() as live:
            earlier = progress(session, pd.Timestamp("2026-10-01 12:00", tz="UTC"))
        assert live.called
    assert earlier.burnup["date"].iloc[-1] == pd.Timestamp("2026-10-01")


def test_the_demo_load_and_an_import_store_the_burnup(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        row = session.execute(select(StoredBurnup)).scalar_one()
        assert row.inputs == _inputs(session, 1) and row.burnup["burnup"]["days"] > 100
        assert not _store_burnup(session, 1, STORED_AT)  # nothing changed since
    import_directory(demo_engine, OPERATOR, directory=DEMO_DIR / "jira" / "northmoor")
    with Session(demo_engine) as session:
        again = session.execute(select(StoredBurnup)).scalar_one()
        assert again.computed_at > row.computed_at
        assert again.inputs == _inputs(session, 1) != row.inputs
        with refusing_live():
            progress(session)


def test_a_scope_rule_changed_since_is_not_read_stored(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        stored_again(session)
        before = progress(session)
        epic = session.execute(
            select(DeliverableScope).where(DeliverableScope.kind == ScopeKind.epic)
        ).scalar_one()
        session.delete(epic)
        session.flush()
        with live_spy() as live:
            after = progress(session)
        assert live.called
        assert epic.deliverable_id in set(before.deliverables["deliverable_id"])
        assert epic.deliverable_id not in set(after.deliverables["deliverable_id"])
        assert _store_burnup(session, 1, STORED_AT)
        with refusing_live():
            assert_same_progress(progress(session), after, "stored again")


def test_a_sync_since_is_not_read_stored(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        stored_again(session)
        before = progress(session)
        # a sync wrote a board whose done column now holds no status, with its run
        board = session.execute(select(JiraBoard).order_by(JiraBoard.id)).scalars().first()
        assert board is not None
        columns = [{**c, "statuses": []} if c is board.columns[-1] else c for c in board.columns]
        session.execute(update(JiraBoard).where(JiraBoard.id == board.id).values(columns=columns))
        started = datetime.now(UTC)
        session.add(
            SyncRun(
                site_id=board.site_id,
                board_id=board.id,
                started_at=started,
                finished_at=started,
                outcome=SyncOutcome.succeeded,
            )
        )
        session.flush()
        with live_spy() as live:
            after = progress(session)
        assert live.called
        assert after.burnup["done_issues"].iloc[-1] != before.burnup["done_issues"].iloc[-1]


def test_a_sync_still_running_does_not_make_it_stale(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        stored_again(session)
        site_id = session.execute(select(JiraBoard.site_id)).scalars().first()
        session.add(SyncRun(site_id=site_id or 0, started_at=datetime.now(UTC)))
        session.flush()
        with refusing_live():
            progress(session)


def test_jql_matches_written_since_are_not_read_stored(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        board_scope = (
            session.execute(
                select(DeliverableScope).where(DeliverableScope.kind == ScopeKind.board)
            )
            .scalars()
            .first()
        )
        assert board_scope is not None
        scope = DeliverableScope(
            deliverable_id=board_scope.deliverable_id,
            site_id=board_scope.site_id,
            kind=ScopeKind.jql,
            value="labels = welfare-advice",
        )
        session.add(scope)
        session.flush()
        stored_again(session)
        issue_id = (
            session.execute(select(JiraIssue.id).where(JiraIssue.site_id == board_scope.site_id))
            .scalars()
            .first()
        )
        session.add(DeliverableJqlMatch(scope_id=scope.id or 0, issue_id=issue_id or 0))
        session.flush()
        with live_spy() as live:
            progress(session)
        assert live.called


def test_a_new_rules_version_is_not_read_stored(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(demo_engine) as session:
        stored_again(session)
        monkeypatch.setattr(stored_burnup, "RULES_VERSION", stored_burnup.RULES_VERSION + 1)
        with live_spy() as live:
            progress(session)
        assert live.called
        assert _store_burnup(session, 1, STORED_AT)
        with refusing_live():
            progress(session)
