"""`tracker demo`: the demo programme loads completely, and only into an empty database."""

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, func, select

from tracker.cli.app import operator_actor
from tracker.demo.loader import is_empty, load_demo
from tracker.errors import Conflict
from tracker.models import JiraSprint, Organisation, OrgKind, Person
from tracker.services.audit import verify_ledger


def _row_counts(engine: Engine) -> dict[str, int]:
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def test_loading_the_demo_again_is_refused_and_writes_nothing(demo_engine: Engine) -> None:
    """A second load would set the file's stage, RAG and dates back over people's changes."""
    before = _row_counts(demo_engine)
    with pytest.raises(Conflict, match="the demo loads only into an empty database"):
        load_demo(demo_engine)
    assert _row_counts(demo_engine) == before
    assert not is_empty(demo_engine)


def test_the_demo_is_a_realistic_programme(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        kinds = dict(
            session.exec(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all()
        )
        assert kinds[OrgKind.council] + kinds[OrgKind.county_council] == 5
        assert kinds[OrgKind.charity] == 2
        assert kinds[OrgKind.supplier] == 3
        assert session.exec(select(func.count()).select_from(Person)).one() >= 20
        closed = session.exec(
            select(JiraSprint.site_id, func.count())
            .where(JiraSprint.state == "closed")
            .group_by(JiraSprint.site_id)
        ).all()
        assert len(closed) == 2 and all(n >= 6 for _, n in closed)
        check = verify_ledger(session, operator_actor())
        assert check.entries > 0 and not check.problems


def test_is_empty_on_a_fresh_database(engine: Engine) -> None:
    assert is_empty(engine)
