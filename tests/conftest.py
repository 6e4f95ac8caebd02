"""Fixtures shared by every test: databases on SQLite and PostgreSQL, built by the migrations.

Each backend is migrated once per test session into a template; every test then gets its own
copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests are isolated
and still exercise the real schema.
"""

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tracker import migrate
from tracker.db import create_tracker_engine

PG_ADMIN_URL = os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
BACKENDS = ("sqlite", "postgresql")


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


class Backend:
    """Makes fresh, migrated databases of one kind from a template prepared once."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self.template: str | None = None
        self.created: list[str] = []

    def _blank_url(self) -> str:
        name = f"tracker_t_{uuid.uuid4().hex[:12]}"
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        with _pg_admin().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return _pg_url(name)

    def prepare(self, setup: Callable[[Engine], None] | None = None) -> str:
        """A migrated database (plus `setup`), to be used as a template."""
        url = self._blank_url()
        engine = create_tracker_engine(url)
        migrate.upgrade(engine)
        if setup:
            setup(engine)
        engine.dispose()
        return url

    def copy(self, template_url: str) -> str:
        name = f"tracker_t_{uuid.uuid4().hex[:12]}"
        if self.kind == "sqlite":
            source = Path(make_url(template_url).database or "")
            target = self.workdir / (name + ".db")
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        template = make_url(template_url).database
        with _pg_admin().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        self.created.append(name)
        return _pg_url(name)

    def drop_all(self) -> None:
        if self.kind != "postgresql" or not self.created:
            return
        with _pg_admin().connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Backend]]:
    made = {kind: Backend(kind, tmp_path_factory.mktemp(kind)) for kind in BACKENDS}
    yield made
    for backend in made.values():
        backend.drop_all()


@pytest.fixture(scope="session")
def templates(backends: dict[str, Backend]) -> dict[tuple[str, str], str]:
    """Template URLs by (backend, content), made on first use."""
    return {}


def _database(
    request: pytest.FixtureRequest,
    backends: dict[str, Backend],
    templates: dict[tuple[str, str], str],
    content: str,
    setup: Callable[[Engine], None] | None,
) -> Iterator[Engine]:
    backend = backends[request.param]
    if (request.param, content) not in templates:
        templates[(request.param, content)] = backend.prepare(setup)
    engine = create_tracker_engine(backend.copy(templates[(request.param, content)]))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest,
    backends: dict[str, Backend],
    templates: dict[tuple[str, str], str],
) -> Iterator[Engine]:
    """An empty, migrated database: once on SQLite, once on PostgreSQL."""
    yield from _database(request, backends, templates, "empty", None)


def _load_demo(engine: Engine) -> None:
    from tracker.demo.loader import load_demo

    load_demo(engine)


@pytest.fixture(params=BACKENDS)
def demo_engine(
    request: pytest.FixtureRequest,
    backends: dict[str, Backend],
    templates: dict[tuple[str, str], str],
) -> Iterator[Engine]:
    """A database holding the demo programme (loaded once per backend, copied per test)."""
    yield from _database(request, backends, templates, "demo", _load_demo)


@pytest.fixture
def demo_sqlite_url(backends: dict[str, Backend], templates: dict[tuple[str, str], str]) -> str:
    """A private SQLite copy of the demo database, for the app and browser tests."""
    if ("sqlite", "demo") not in templates:
        templates[("sqlite", "demo")] = backends["sqlite"].prepare(_load_demo)
    return backends["sqlite"].copy(templates[("sqlite", "demo")])


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session
