"""The engine behaves the same on SQLite and PostgreSQL where tracker relies on it."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tracker.db import DatabaseUnavailable, check_connection, create_tracker_engine
from tracker.models import JiraSite, JiraSprint, Organisation, Person


def test_timestamps_round_trip_as_aware_utc(session: Session) -> None:
    site = JiraSite(name="s", url="https://x", kind="cloud")
    session.add(site)
    session.flush()
    bst = timezone(timedelta(hours=1))
    session.add(
        JiraSprint(
            site_id=site.id,
            jira_id=1,
            name="Sprint 1",
            state="closed",
            start_at=datetime(2026, 6, 1, 9, 0, tzinfo=bst),
        )
    )
    session.commit()
    session.expire_all()
    sprint = session.exec(select(JiraSprint)).one()
    assert sprint.start_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert sprint.start_at.tzinfo is not None


def test_naive_timestamps_are_refused(session: Session) -> None:
    site = JiraSite(name="s", url="https://x", kind="cloud")
    session.add(site)
    session.flush()
    session.add(
        JiraSprint(
            site_id=site.id, jira_id=1, name="x", state="closed", start_at=datetime(2026, 1, 1)
        )
    )
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Person(organisation_id=9999, name="Nobody"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_sqlite_runs_in_wal_mode(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_jira_ids_are_unique_per_site_only(session: Session) -> None:
    a = JiraSite(name="a", url="https://a", kind="cloud")
    b = JiraSite(name="b", url="https://b", kind="datacenter")
    session.add_all([a, b])
    session.flush()
    session.add_all(
        [
            JiraSprint(site_id=a.id, jira_id=5, name="A5", state="closed"),
            JiraSprint(site_id=b.id, jira_id=5, name="B5", state="closed"),
        ]
    )
    session.flush()
    session.add(JiraSprint(site_id=a.id, jira_id=5, name="dup", state="closed"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_case_insensitive_lookup_works_on_both(session: Session) -> None:
    org = Organisation(name="Eastvale Borough Council", kind="council")
    session.add(org)
    session.flush()
    session.add(Person(organisation_id=org.id, name="A", email="Aisha@Eastvale.gov.uk"))
    session.flush()
    found = session.exec(select(Person).where(Person.email.ilike("aisha@eastvale.gov.uk"))).one()
    assert found.name == "A"


def test_unreachable_database_is_one_clear_error() -> None:
    engine = create_tracker_engine("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable, match=r"^cannot connect to postgresql\+psycopg://"):
        check_connection(engine)


def test_malformed_url_is_one_clear_error() -> None:
    with pytest.raises(DatabaseUnavailable, match="not a database URL"):
        create_tracker_engine("not a url")
