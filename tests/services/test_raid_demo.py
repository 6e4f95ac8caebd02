"""The demo's RAID log, decisions and dependencies: realistic, made through the services (a ledger
that verifies), a cross-council dependency read from Jira's links, and a reload that adds
nothing."""

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from tracker.cli.app import operator_actor
from tracker.config import DATA_DIR
from tracker.demo.raid import load_raid
from tracker.metrics.raid import heatmap_counts
from tracker.models import AuditEntry, Programme
from tracker.services.audit import verify_ledger
from tracker.services.raid.decisions import decisions_frame, decisions_needed
from tracker.services.raid.dependencies import dependency_frame
from tracker.services.raid.register import needs_board_attention, raid_frame

pytestmark = pytest.mark.db
TODAY = date(2026, 11, 27)  # the day the demo's Jira was exported
OPERATOR = operator_actor()


def test_the_demo_has_a_realistic_raid_log_and_decisions(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        pid = session.exec(select(Programme.id)).one()
        register = raid_frame(session, OPERATOR, programme_id=pid, today=TODAY)
        assert set(register["kind"]) == {"risk", "assumption", "issue"}
        assert set(register["status"]) == {"open", "closed", "occurred"}
        occurred = register[register["status"] == "occurred"]["code"].tolist()
        assert register[register["raised_from"].isin(occurred)]["kind"].tolist() == ["issue"]
        open_risks = register[(register["kind"] == "risk") & (register["status"] == "open")]
        assert int(heatmap_counts(register).to_numpy().sum()) == len(open_risks) >= 6
        attention = needs_board_attention(session, OPERATOR, programme_id=pid, today=TODAY)
        assert {"R-1", "R-2"} <= set(attention["code"])
        assert register["deliverable"].isna().any()  # a programme-level risk
        log = decisions_frame(session, OPERATOR, programme_id=pid)
        assert {"proposed", "decided", "superseded"} <= set(log["status"])
        assert len(decisions_needed(session, OPERATOR, programme_id=pid)) >= 2
        check = verify_ledger(session, OPERATOR)
        assert check.intact, check.problems


def test_the_demo_has_a_cross_council_dependency_from_jira_links(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        pid = session.exec(select(Programme.id)).one()
        rated = dependency_frame(session, OPERATOR, programme_id=pid)
    jira = rated[rated["source"] == "Jira"]
    across = jira[jira["health"].ne("unknown") & (jira["consumer_org"] != jira["provider_org"])]
    assert len(across) >= 1
    assert ("MB-01", "CC-01", "red") in set(
        zip(across["consumer"], across["provider"], across["health"], strict=True)
    )  # Southmere's missed bins (Westbridge's Jira) wait on Eastvale's contact centre (Northmoor's)
    assert "unknown" in set(jira["health"])  # a link to an issue on no synced board stays
    assert {"red", "amber", "green"} <= set(rated["health"])


def test_loading_the_raid_file_again_adds_nothing(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        entries = session.exec(select(func.count()).select_from(AuditEntry)).one()
        assert load_raid(session, DATA_DIR / "demo" / "raid.json") == 0
        session.commit()
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == entries
