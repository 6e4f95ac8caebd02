"""Schema migrations: every schema change goes through Alembic, on SQLite and PostgreSQL alike.

Every command and page first checks that the database is current. Alembic takes longer to import
and to read its scripts than most commands take to run, so the check compares the database's
revision with the newest migration file's number (revision ids are the files' numbers, tested)
and asks Alembic only when they differ. Alembic is imported here only where it is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from tracker.errors import TrackerError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to an engine, so no alembic.ini has to agree with DATABASE_URL."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def check(engine: Engine) -> None:
    """Raise if the models hold anything the migrations do not (alembic check)."""
    from alembic import command

    command.check(alembic_config(engine))


def newest_revision() -> str:
    """The head revision's id, from the migration files' names (`0007_...py` is revision 0007)."""
    return max(path.name.split("_", 1)[0] for path in VERSIONS_DIR.glob("[0-9]*_*.py"))


class SchemaOutOfDate(TrackerError):
    """The database is reachable but its schema is not the one this tracker needs."""


def ensure_current(engine: Engine) -> None:
    """Refuse, in one sentence, a database whose schema is missing or behind: every query would
    otherwise fail with a table-not-found traceback."""
    with engine.connect() as connection:
        current = None
        if inspect(connection).has_table("alembic_version"):
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if current == newest_revision():
        return
    from alembic.script import ScriptDirectory

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
