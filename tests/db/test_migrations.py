"""The migrations are the schema: they build it on both databases and keep existing data."""

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from tracker import migrate
from tracker.db import create_tracker_engine
from tracker.migrate import alembic_config


def test_head_matches_the_models(engine: Engine) -> None:
    """`alembic check` finds nothing to autogenerate after `upgrade head`."""
    migrate.check(engine)
    assert "deliverable" in inspect(engine).get_table_names()


def test_upgrade_is_repeatable(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.check(engine)


def _revisions(engine: Engine) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_the_quick_schema_check_knows_the_head(tmp_path) -> None:
    """`ensure_current` trusts the newest file's number as the head (revision ids are the files'
    numbers); a migration named otherwise, or a second head, fails here."""
    engine = create_tracker_engine(f"sqlite:///{tmp_path / 'heads.db'}")
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert script.get_heads() == [migrate.newest_revision()]
    for revision in script.walk_revisions():
        assert Path(revision.path).name.startswith(f"{revision.revision}_")


def test_upgrading_from_the_first_revision_keeps_data(tmp_path) -> None:
    """A database made by the oldest migration keeps its rows through every later one."""
    engine = create_tracker_engine(f"sqlite:///{tmp_path / 'old.db'}")
    first = _revisions(engine)[0]
    migrate.upgrade(engine, first)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organisation (id, name, kind) VALUES (7, 'Old Council', 'council')")
        )
        conn.execute(
            text(
                "INSERT INTO person (id, organisation_id, name, email, active, erased) "
                "VALUES (3, 7, 'Ann Old', 'ann@old.gov.uk', 1, 0)"
            )
        )
    migrate.upgrade(engine)
    migrate.check(engine)
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT name FROM organisation WHERE id = 7")).scalar()
            == "Old Council"
        )
        assert (
            conn.execute(text("SELECT email FROM person WHERE id = 3")).scalar() == "ann@old.gov.uk"
        )
    engine.dispose()
