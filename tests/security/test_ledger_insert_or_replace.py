"""ASVS probe finding 7: SQLite's `INSERT OR REPLACE` got past the ledger's triggers.

REPLACE deletes the row in its way without firing delete triggers, so an entry was rewritten (and
the chain recomputed) with every trigger in place. A BEFORE INSERT trigger now refuses a row whose
id or unique key is already taken, on every append-only table. PostgreSQL has no REPLACE; its
upsert (`INSERT ... ON CONFLICT DO UPDATE`) fires the UPDATE trigger, which refuses it: proved here.
"""

from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from tests.support.criteria import bring_to, build_world
from tracker.models import AuditEntry, CriterionEvidence, CriterionStatus, CriterionVersion
from tracker.services.audit import verify_ledger

pytestmark = pytest.mark.db

#: the append-only tables and the column each rewrite changes
REWRITES = [
    (AuditEntry, "comment"),
    (CriterionVersion, "text"),
    (CriterionEvidence, "url"),
]


def _row(engine: Engine, model: Any) -> dict[str, Any]:
    table = model.__table__
    with engine.connect() as conn:
        return dict(conn.execute(select(table).order_by(table.c.id).limit(1)).mappings().one())


@pytest.fixture
def world(engine: Engine):
    with Session(engine) as session:
        made = build_world(session)
        bring_to(session, made, CriterionStatus.accepted)  # entries, versions and evidence
        session.commit()
        return made


@pytest.mark.parametrize(("model", "column"), REWRITES, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("how", ["INSERT OR REPLACE", "REPLACE", "upsert"])
def test_a_row_cannot_be_replaced_in_place(
    engine: Engine, world, model: Any, column: str, how: str
) -> None:
    before = _row(engine, model)
    table = model.__table__
    forged = {**before, column: "https://rewritten.example" if column == "url" else "rewritten"}
    if how == "upsert":
        dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        statement = dialect_insert(table).values(forged)
        statement = statement.on_conflict_do_update(
            index_elements=["id"], set_={column: statement.excluded[column]}
        )
    elif engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL has no REPLACE; its upsert is the equivalent")
    else:
        statement = (
            insert(table).prefix_with("OR REPLACE" if how != "REPLACE" else "").values(forged)
        )
        if how == "REPLACE":
            statement = text(
                f"REPLACE INTO {table.name} ({', '.join(forged)}) "
                f"VALUES ({', '.join(':' + k for k in forged)})"
            ).bindparams(**forged)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(statement)
    assert _row(engine, model) == before
    with Session(engine) as session:
        assert verify_ledger(session, world.board).intact


def test_a_new_row_under_a_taken_seq_is_refused_too(engine: Engine, world) -> None:
    """REPLACE on the unique `seq` (a new id) would delete the entry it collides with."""
    if engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL has no REPLACE; a duplicate seq is a plain unique violation")
    table = AuditEntry.__table__
    with engine.connect() as conn:  # the latest entry: no version or evidence points at it
        last = dict(conn.execute(select(table).order_by(table.c.seq.desc())).mappings().first())
    forged = {**last, "id": 10_000, "comment": "rewritten"}
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(insert(table).prefix_with("OR REPLACE").values(forged))
    with engine.connect() as conn:
        assert conn.execute(select(table.c.comment).where(table.c.seq == last["seq"])).one() == (
            last["comment"],
        )


def test_appending_still_works(engine: Engine, world) -> None:
    with Session(engine) as session:
        bring_to(session, world, CriterionStatus.sent)  # a second criterion: new rows appended
        session.commit()
        assert verify_ledger(session, world.board).intact
