"""The demo's criteria: every state, made through the service, a ledger that verifies, and a
second load that replays nothing."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tracker.cli.app import operator_actor
from tracker.config import DATA_DIR
from tracker.demo.criteria import load_criteria
from tracker.models import AcceptanceCriterion, AuditEntry, CriterionStatus
from tracker.services.audit import verify_ledger

pytestmark = pytest.mark.db


def test_the_demo_has_criteria_in_every_state_and_a_sound_ledger(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        statuses = set(session.exec(select(AcceptanceCriterion.status)).all())
        assert statuses == {s.value for s in CriterionStatus}
        reconfirmed = session.exec(
            select(AcceptanceCriterion).where(AcceptanceCriterion.version > 1)
        ).all()
        assert [c.status for c in reconfirmed] == [CriterionStatus.confirmed.value]
        check = verify_ledger(session, operator_actor())
        assert check.intact, check.problems
        entries = check.entries
        assert load_criteria(session, DATA_DIR / "demo" / "criteria.json") == 0
        session.commit()
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == entries
