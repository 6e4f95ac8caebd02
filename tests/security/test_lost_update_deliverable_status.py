"""ASVS probe finding 1: two people saving a deliverable's stage, RAG or target date at once.

Both had opened the form on the same values; both saves used to succeed, leaving two history rows
starting from the same value and the first person's change silently lost. Now the second is
refused (the form keeps what was typed) and the history is one unbroken chain.
"""

import threading
from datetime import date
from itertools import pairwise

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from tracker.errors import Conflict
from tracker.models import Deliverable, DeliverableStatusChange
from tracker.services.auth.users import actor_for_email
from tracker.services.programme import status
from tracker.services.programme.status import (
    Status,
    current_status,
)

pytestmark = pytest.mark.db

OWNER = "tom.hargreaves@northmoor.gov.uk"  # Northmoor's project owner: owns RB-01
ADMIN = "priya.raman@northmoor.gov.uk"
ROUNDS = 5


def _race(engine: Engine, deliverable_id: int, wants: dict[str, Status], monkeypatch) -> dict:
    """Each person saves in their own session and thread; neither writes until both have read
    and checked the deliverable (so the check alone cannot tell them apart)."""
    both_read = threading.Barrier(2, timeout=20)
    real_current = status.current_status
    waited: set[str] = set()

    def read_then_wait(session: Session, actor, *args, **kwargs) -> Status:
        seen = real_current(session, actor, *args, **kwargs)
        if threading.current_thread().name not in waited:  # the save's own check, once
            waited.add(threading.current_thread().name)
            both_read.wait()
        return seen

    outcome: dict[str, object] = {}

    def save(email: str) -> None:
        with Session(engine) as session:
            actor = actor_for_email(session, email)
            seen = real_current(session, actor, deliverable_id=deliverable_id)
            try:
                status.update_status(
                    session, actor, deliverable_id=deliverable_id, seen=seen, wanted=wants[email]
                )
                session.commit()
                outcome[email] = "saved"
            except Conflict as exc:
                session.rollback()
                outcome[email] = exc

    monkeypatch.setattr(status, "current_status", read_then_wait)
    threads = [threading.Thread(target=save, args=(email,), name=email) for email in wants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monkeypatch.setattr(status, "current_status", real_current)
    return outcome


def test_of_two_simultaneous_saves_one_is_refused_and_history_stays_a_chain(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(demo_engine) as session:
        rb01 = session.exec(select(Deliverable).where(Deliverable.ref == "RB-01")).one()
        rb01_id = rb01.id or 0
    for round_ in range(ROUNDS):
        wants = {
            OWNER: Status("Beta", "red", f"owner round {round_}", date(2027, 1, 1 + round_)),
            ADMIN: Status("Live", "amber", f"admin round {round_}", date(2027, 2, 1 + round_)),
        }
        outcome = _race(demo_engine, rb01_id, wants, monkeypatch)
        saved = [email for email, result in outcome.items() if result == "saved"]
        refused = [result for result in outcome.values() if isinstance(result, Conflict)]
        assert len(saved) == 1, f"round {round_}: {outcome}"
        assert len(refused) == 1, f"round {round_}: {outcome}"
        assert "nothing was saved" in str(refused[0])
        with Session(demo_engine) as session:
            admin = actor_for_email(session, ADMIN)
            assert current_status(session, admin, deliverable_id=rb01_id) == wants[saved[0]]
    with Session(demo_engine) as session:
        changes = session.exec(
            select(DeliverableStatusChange)
            .where(DeliverableStatusChange.deliverable_id == rb01_id)
            .order_by(col(DeliverableStatusChange.id))
        ).all()
    assert len(changes) == ROUNDS
    for before, after in pairwise(changes):
        assert (after.from_rag, after.from_target) == (before.to_rag, before.to_target)
