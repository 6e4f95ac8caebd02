"""Schema migrations: every schema change goes through Alembic, on SQLite and PostgreSQL alike."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from tracker.errors import TrackerError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to an engine, so no alembic.ini has to agree with DATABASE_URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def check(engine: Engine) -> None:
    """Raise if the models hold anything the migrations do not (alembic check)."""
    command.check(alembic_config(engine))


class SchemaOutOfDate(TrackerError):
    """The database is reachable but its schema is not the one this tracker needs."""


def ensure_current(engine: Engine) -> None:
    """Refuse, in one sentence, a database whose schema is missing or behind: every query would
    otherwise fail with a table-not-found traceback."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    if current == head:
        return
    if current is None:
        raise SchemaOutOfDate(
            "the database has no tracker tables yet: run `tracker db upgrade` (or `make run`)."
        )
    raise SchemaOutOfDate(
        f"the database schema is at revision {current} but this tracker needs {head}: "
        "run `tracker db upgrade`."
    )
