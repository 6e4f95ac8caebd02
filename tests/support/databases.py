"""Fresh, migrated databases on SQLite and PostgreSQL, copied from a template made once.

Each backend is migrated once per test session into a template; every test then gets its own
copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests are isolated
and still exercise the real schema.
"""

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

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
