"""`tracker.models` builds a module of tables only when one of its names is first used (so a
command builds only the tables it reads), yet every table stays reachable, each module loads the
tables its foreign keys name, and Alembic sees the whole schema."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

import tracker.models
from tracker.models import MODULES, all_tables

MODELS = Path(tracker.models.__file__).parent
NOT_TABLES = {"__init__", "types"}


def test_every_module_of_tables_is_listed() -> None:
    on_disk = {path.stem for path in MODELS.glob("*.py")} - NOT_TABLES
    assert set(MODULES) == on_disk


def test_every_table_is_reachable_by_name() -> None:
    all_tables()
    for mapper in SQLModel._sa_registry.mappers:
        cls = mapper.class_
        assert cls.__name__ in MODULES[cls.__module__.rsplit(".", 1)[1]], cls
        assert getattr(tracker.models, cls.__name__) is cls


# In a fresh interpreter: only MODULE, then every loaded table's foreign keys must resolve (the
# unit of work reads each one's target to order a flush) and the mappers must configure.
_ALONE = """
import importlib, sys
from sqlalchemy.orm import configure_mappers
from sqlmodel import SQLModel
importlib.import_module(sys.argv[1])
for table in SQLModel.metadata.tables.values():
    for key in table.foreign_keys:
        key.column
configure_mappers()
print(sorted(SQLModel.metadata.tables))
"""


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_loads_the_tables_its_foreign_keys_name(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ALONE, f"tracker.models.{module}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_alembic_sees_every_table_from_a_fresh_process(engine: Engine) -> None:
    """`alembic check` in a process that loaded no table before it: a table the migrations
    create but Alembic's metadata lacked would be reported as one to drop, and fail."""
    check = "from tracker import migrate; from tracker.db import get_engine; "
    check += "migrate.check(get_engine())"
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
