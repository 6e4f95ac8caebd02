"""The ledger verifies, names the first entry someone altered, refuses changes, never forks, and
holds no personal data."""

import itertools
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tests.support.criteria import World, bring_to, build_world
from tracker.models import AuditEntry, CriterionMove, CriterionStatus, Person
from tracker.models.acceptance import AppendOnlyViolation
from tracker.services import audit
from tracker.services.acceptance.criteria import (
    Details,
    Wording,
    create_criterion,
    edit_criterion,
    make_move,
)
from tracker.services.audit import ledger_frame, verify_ledger
from tracker.services.people.personal_data import erase_person, placeholder_name

M, S = CriterionMove, CriterionStatus
pytestmark = pytest.mark.db


def _tamper(engine: Engine, sql: str) -> None:
    """What someone with the database's owner rights can do: switch the triggers off, edit."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("audit_entry", "acceptance_criterion_version", "acceptance_evidence"):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(names):
                conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(text(sql))


def _history(session: Session) -> World:
    """Two criteria with some history: ledger entries 1-8."""
    world = build_world(session)
    bring_to(session, world, S.accepted)  # entries 1-5
    bring_to(session, world, S.sent)  # entries 6-7
    draft = create_criterion(
        session, world.owner, deliverable_id=world.deliverable_id, wording=Wording("T", "x")
    )
    session.commit()  # entry 8
    assert draft.criterion_id == 3
    return world


def test_an_untouched_ledger_verifies(session: Session) -> None:
    world = _history(session)
    check = verify_ledger(session, world.board)
    assert check.intact, check.problems
    assert check.entries == 8
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == list(range(1, 9))
    assert entries[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    assert check.head_hash == entries[-1].entry_hash


@pytest.mark.parametrize(
    ("sql", "first", "says"),
    [
        ("UPDATE audit_entry SET comment = 'all fine' WHERE seq = 4", 4, "changed after"),
        ("UPDATE audit_entry SET actor_user_id = 1 WHERE seq = 5", 5, "changed after"),
        ("UPDATE audit_entry SET to_status = 'accepted' WHERE seq = 7", 7, "changed after"),
        (
            "UPDATE acceptance_criterion_version SET text = 'Then anything' WHERE criterion_id = 1",
            1,
            "wording of version 1",
        ),
        ("UPDATE acceptance_evidence SET url = 'https://elsewhere'", 4, "evidence links"),
        ("UPDATE acceptance_criterion SET status = 'accepted' WHERE id = 2", 7, "criterion 2"),
    ],
    ids=["comment", "actor", "status", "wording", "evidence", "state"],
)
def test_raw_sql_changes_are_named(
    engine: Engine, session: Session, sql: str, first: int, says: str
) -> None:
    world = _history(session)
    session.close()
    _tamper(engine, sql)
    with Session(engine) as fresh:
        check = verify_ledger(fresh, world.board)
    assert not check.intact
    assert check.problems[0].seq == first
    assert says in str(check.problems[0])


def test_a_rehashed_entry_breaks_the_link_to_the_next(engine: Engine, session: Session) -> None:
    """Recomputing the altered entry's own hash does not help: the next entry names it."""
    world = _history(session)
    entry = session.exec(select(AuditEntry).where(AuditEntry.seq == 4)).one()
    entry.comment = "rewritten"
    forged = audit.entry_hash(entry)
    session.rollback()
    session.close()
    _tamper(
        engine,
        f"UPDATE audit_entry SET comment = 'rewritten', entry_hash = '{forged}' WHERE seq = 4",
    )
    with Session(engine) as fresh:
        check = verify_ledger(fresh, world.board)
    assert [str(p) for p in check.problems] == ["entry 5: does not chain to the entry before it"]


def test_a_deleted_middle_entry_leaves_a_gap(engine: Engine, session: Session) -> None:
    world = _history(session)
    session.close()
    _tamper(engine, "DELETE FROM audit_entry WHERE seq = 7")
    with Session(engine) as fresh:
        check = verify_ledger(fresh, world.board)
    assert [str(p) for p in check.problems] == [
        "entry 6: criterion 2 is now 'sent to supplier' version 1, but its last entry says "
        "'draft' version 1",
        "entry 8: entries 7-7 are missing",
    ]


def test_entries_that_vouch_for_a_wording_cannot_be_deleted(
    engine: Engine, session: Session
) -> None:
    _history(session)
    session.close()
    with pytest.raises(DBAPIError, match=r"(?i)foreign key"):
        _tamper(engine, "DELETE FROM audit_entry WHERE seq = 8")


@pytest.mark.parametrize("how", ["attribute", "delete", "bulk update", "bulk delete"])
def test_the_orm_refuses_to_change_entries(session: Session, how: str) -> None:
    _history(session)
    entry = session.exec(select(AuditEntry).where(AuditEntry.seq == 1)).one()
    with pytest.raises(AppendOnlyViolation):
        if how == "attribute":
            entry.comment = "changed"
            session.flush()
        elif how == "delete":
            session.delete(entry)
            session.flush()
        elif how == "bulk update":
            session.execute(update(AuditEntry).values(comment="changed"))
        else:
            session.execute(delete(AuditEntry))


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_entry SET comment = 'x'",
        "DELETE FROM audit_entry",
        "UPDATE acceptance_criterion_version SET text = 'x'",
        "DELETE FROM acceptance_evidence",
    ],
)
def test_the_database_refuses_to_change_entries(engine: Engine, session: Session, sql: str) -> None:
    _history(session)
    session.close()
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))


def test_a_stale_tail_retries_instead_of_forking(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that read the tail before another append committed loses the unique race on
    `seq` and appends after it."""
    world = _history(session)
    real_tail: Callable[[Session], tuple[int, str]] = audit._tail
    calls: list[tuple[int, str]] = []

    def stale_once(s: Session) -> tuple[int, str]:
        calls.append(real_tail(s))
        if len(calls) == 1:
            first = s.exec(select(AuditEntry).where(AuditEntry.seq == 7)).one()
            return 8, first.entry_hash  # what it was before entry 8 landed
        return calls[-1]

    monkeypatch.setattr(audit, "_tail", stale_once)
    create_criterion(
        session, world.owner, deliverable_id=world.deliverable_id, wording=Wording("T2", "y")
    )
    session.commit()
    assert len(calls) == 2
    assert verify_ledger(session, world.board).intact


def test_concurrent_writers_never_fork_the_chain(engine: Engine, session: Session) -> None:
    world = build_world(session)
    session.close()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(3):
                with Session(engine) as own:
                    saved = create_criterion(
                        own,
                        world.owner,
                        deliverable_id=world.deliverable_id,
                        wording=Wording("T", "x"),
                    )
                    make_move(
                        own,
                        world.owner,
                        criterion_id=saved.criterion_id,
                        move=M.send,
                        expected_row_version=saved.row_version,
                    )
                    own.commit()
        except BaseException as exc:  # collected and re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with Session(engine) as fresh:
        check = verify_ledger(fresh, world.board)
        seqs = fresh.exec(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    assert check.intact, check.problems
    assert list(seqs) == list(range(1, 37))


def test_the_ledger_holds_ids_not_personal_data(session: Session) -> None:
    world = _history(session)
    people = session.exec(select(Person)).all()
    personal = {p.name for p in people} | {p.email for p in people if p.email}
    for entry in session.exec(select(AuditEntry)):
        values = {str(v) for v in entry.model_dump().values()}
        assert not any(p in v for p in personal for v in values), entry
    # erasing a person rewrites their row only: the chain still verifies and the name is gone
    erase_person(session, world.admin, person_id=world.owner.person_id)
    session.commit()
    assert verify_ledger(session, world.board).intact
    frame = ledger_frame(session, world.board, deliverable_id=world.deliverable_id)
    assert "Olu" not in set(frame["who"])
    assert placeholder_name(world.owner.person_id) in set(frame["who"])


def test_detail_edits_are_recorded_without_a_new_version(session: Session) -> None:
    world = _history(session)
    saved = bring_to(session, world, S.confirmed)
    edit_criterion(
        session,
        world.owner,
        criterion_id=saved.criterion_id,
        expected_row_version=saved.row_version,
        wording=Wording("Pay online", "Given x, when y, then z", "SOW-1 4.2"),
        details=Details(jira_keys=("RB-7",)),
    )
    session.commit()
    last = session.exec(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (last.action, last.from_status, last.to_status, last.version) == (
        "edit",
        "confirmed",
        "confirmed",
        1,
    )
    assert last.comment == "Changed Jira issues none to RB-7."
    assert verify_ledger(session, world.board).intact
