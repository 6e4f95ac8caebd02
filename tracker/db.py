"""Engines, sessions and the few places where SQLite and PostgreSQL differ.

One engine per URL and process; a short session per operation. SQLite gets foreign keys, WAL and a
busy timeout on every connection, because it ignores foreign keys otherwise and locks readers out
during a sync. Statement parameters are never written into errors or logs (`hide_parameters`):
they hold people's names and emails, and an unexpected error's text ends up in logs and terminals.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from tracker.config import get_settings
from tracker.errors import TrackerError


class DatabaseUnavailable(TrackerError):
    """The configured database cannot be used; the message is one line meant for a person."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _describe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the DATABASE_URL value"


def create_tracker_engine(url: str) -> Engine:
    """A new engine for a URL, with the pragmas and driver tracker needs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            "DATABASE_URL is not a database URL (expected e.g. sqlite:///data/tracker.db or "
            "postgresql+psycopg://user@host/dbname)"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                parsed, connect_args={"check_same_thread": False}, hide_parameters=True
            )
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    except Exception as exc:  # unknown dialects and missing drivers raise assorted errors
        raise DatabaseUnavailable(f"cannot use {_describe(url)}: {exc}") from None
    return engine


@cache
def _cached_engine(url: str) -> Engine:
    return create_tracker_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for a URL (default: the configured DATABASE_URL)."""
    return _cached_engine(url or get_settings().database_url)


def check_connection(engine: Engine) -> None:
    """Fail early, in one sentence, when the database is unreachable."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"cannot connect to {_describe(engine.url.render_as_string())}: {reason}"
        ) from None


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session committed on success and rolled back on error: all-or-nothing by default."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def upsert(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    index_elements: Iterable[str],
    update_columns: Iterable[str] | None = None,
) -> None:
    """Insert rows, updating the given columns where the unique key already exists.

    The statement is the same on both dialects apart from its module, so callers never branch.
    """
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    keys = list(index_elements)
    dialect = session.get_bind().dialect.name
    # imported here: PostgreSQL's dialect package costs a command that writes nothing to import
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    columns = update_columns if update_columns is not None else rows[0].keys()
    to_update = {c: statement.excluded[c] for c in columns if c not in keys}
    if to_update:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=to_update)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    session.execute(statement, list(rows))
