"""The board pack on the demo programme, on SQLite and PostgreSQL: derived ratings with reasons,
thresholds, owners' notes, publishing (frozen, hashed into the ledger, superseded) and exports."""

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, func, select

from tracker.errors import (
    Invalid,
    NotAllowed,
)
from tracker.metrics.rag import Dimension
from tracker.models import AuditEntry, HighlightReport
from tracker.models.acceptance import AppendOnlyViolation
from tracker.services.audit import verify_ledger
from tracker.services.auth.users import actor_for_email
from tracker.services.board.exports import export, report_csv, report_html
from tracker.services.board.highlight import build_report
from tracker.services.board.notes import period_notes, save_note
from tracker.services.board.period import Period
from tracker.services.board.publish import (
    publish_report,
    published_content,
    published_reports,
)
from tracker.services.board.ratings import board_ratings
from tracker.services.board.thresholds import programme_thresholds, save_thresholds
from tracker.services.delivery.sprints import NotFound, find_programme
from tracker.services.lookups import deliverable_by_ref
from tracker.services.programme.status import Status, current_status, update_status
from tracker.services.raid.decisions import propose_decision
from tracker.services.raid.register import add_item

pytestmark = pytest.mark.db

ADMIN = "priya.raman@northmoor.gov.uk"
OWNER = "tom.hargreaves@northmoor.gov.uk"  # Northmoor: owns RB-01
BOARD = "joan.whitfield@westbridge.gov.uk"
LEDGERLINE = "karen.stokes@ledgerline.co.uk"  # supplies RB-01 and CTAX-02
PROGRAMME = "Marshland Shared Services Partnership"
NOW = pd.Timestamp("2026-11-27 15:00", tz="UTC")  # when the demo sites were exported
#: the two weeks up to the latest sprint end before NOW (RB Sprint 20, WST Sprint 37: 23 Nov)
PERIOD = Period(date(2026, 11, 10), date(2026, 11, 23))
DECLARED = {d.value: "amber" for d in Dimension}


@pytest.fixture
def session(demo_engine: Engine) -> Session:
    with Session(demo_engine) as opened:
        yield opened


def _programme_id(session: Session) -> int:
    return find_programme(session, actor_for_email(session, ADMIN), name=PROGRAMME).id


def _by_ref(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.pivot(index="ref", columns="dimension", values="rating")


def test_known_demo_deliverables_get_known_colours_with_reasons(session: Session) -> None:
    board = actor_for_email(session, BOARD)
    rated = board_ratings(session, board, programme_id=_programme_id(session), now=NOW)
    assert rated.period == PERIOD
    colours = _by_ref(rated.ratings)
    # WB-01's target (30 Oct 2026) is past with work left: even its 50% date is late
    assert colours.loc["WB-01", "Time"] == "red"
    # Open Door Advice lacks the NHS DSPT welfare advice's health data needs, no override
    assert colours.loc["WA-01", "Assurance"] == "red"
    # RB-01 has a rejected criterion (the session-timeout evidence was rejected)
    assert colours.loc["RB-01", "Acceptance"] == "red"
    # the demo's RAID log: an open issue escalated to the board on RB-01, a red dependency of
    # ASC-01's, and nothing against WA-01
    assert colours.loc["RB-01", "Risks and dependencies"] == "red"
    assert colours.loc["ASC-01", "Risks and dependencies"] == "red"
    assert colours.loc["WA-01", "Risks and dependencies"] == "green"
    reasons = rated.ratings.set_index(["ref", "dimension"])["reason"]
    assert reasons["RB-01", "Acceptance"] == "a rejected criterion: 1 rejected (limit none)"
    assert reasons["WA-01", "Assurance"].startswith("a blocked assurance gate: 1 blocked")
    assert reasons["WB-01", "Time"].startswith("the 50% likely date is after the target date")
    forecast = rated.forecast.set_index("ref")
    assert forecast.loc["WB-01", "slip_weeks"] > 0
    exceptions = rated.exceptions
    assert ("WB-01", "forecast past target") in set(
        zip(exceptions["ref"], exceptions["exception"], strict=True)
    )
    # WB-01 is declared green but derived red: the pack flags it
    assert ("WB-01", "declared better than derived") in set(
        zip(exceptions["ref"], exceptions["exception"], strict=True)
    )


def test_risks_and_dependencies_come_from_the_raid_log(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    programme_id = _programme_id(session)
    add_item(
        session,
        admin,
        programme_id=programme_id,
        values={
            "kind": "risk",
            "title": "Referral partner withdraws",
            "deliverable": "WA-01",
            "owner_organisation": "Riverford City Council",
            "owner": "daniel.price@riverford.gov.uk",
            "likelihood": 4,
            "impact": 4,
            "review_date": "2026-11-01",
        },
    )
    add_item(
        session,
        admin,
        programme_id=programme_id,
        values={
            "kind": "issue",
            "title": "Telephony contract dispute",
            "deliverable": "CC-01",
            "owner_organisation": "Eastvale Borough Council",
            "escalation": "programme board",
            "priority": "high",
        },
    )
    propose_decision(
        session,
        admin,
        programme_id=programme_id,
        values={
            "title": "Approve the second referral partner",
            "deliverable": "WA-01",
            "owner_organisation": "Riverford City Council",
            "needed_by": "2026-12-10",
        },
    )
    session.commit()
    board = actor_for_email(session, BOARD)
    rated = board_ratings(session, board, programme_id=programme_id, now=NOW)
    risks = rated.ratings.loc[rated.ratings["dimension"] == "Risks and dependencies"]
    risks = risks.set_index("ref")
    assert risks.loc["WA-01", "rating"] == "amber"  # a high risk past its review date
    assert risks.loc["CC-01", "rating"] == "red"  # an open escalated issue
    report = build_report(session, board, programme_id=programme_id, now=NOW)
    wa01 = next(d for d in report["deliverables"] if d["ref"] == "WA-01")
    # highest score first, after the demo's own risk on WA-01
    assert [t.split(" ", 1)[1] for t in wa01["risks"]["top_risks"]] == [
        "Referral partner withdraws (score 16, high; review 01 Nov 2026)",
        "Open Door Advice lacks the NHS DSPT the health data needs (score 12; review 18 Dec 2026)",
    ]
    assert [t.split(" ", 1)[1] for t in wa01["risks"]["decisions"]] == [
        "Approve the second referral partner (needed by 10 Dec 2026)"
    ]
    # a supplier contact of another supplier reads none of it
    supplier = actor_for_email(session, LEDGERLINE)
    theirs = build_report(session, supplier, programme_id=programme_id, now=NOW)
    assert [d["ref"] for d in theirs["deliverables"]] == ["CTAX-02", "RB-01"]


def test_the_same_data_gives_the_same_ratings(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    first = board_ratings(session, admin, programme_id=_programme_id(session), now=NOW)
    again = board_ratings(session, admin, programme_id=_programme_id(session), now=NOW)
    pd.testing.assert_frame_equal(first.ratings, again.ratings)
    pd.testing.assert_frame_equal(first.forecast, again.forecast)


def test_a_supplier_contact_sees_only_their_deliverables(session: Session) -> None:
    supplier = actor_for_email(session, LEDGERLINE)
    rated = board_ratings(session, supplier, programme_id=_programme_id(session), now=NOW)
    assert set(rated.ratings["ref"]) == {"CTAX-02", "RB-01"}
    assert set(rated.exceptions["ref"]) <= {"CTAX-02", "RB-01"}
    report = build_report(session, supplier, programme_id=_programme_id(session), now=NOW)
    assert [d["ref"] for d in report["deliverables"]] == ["CTAX-02", "RB-01"]


def test_a_period_ending_before_it_starts_is_refused(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    with pytest.raises(Invalid, match=r"ends on 01 Nov 2026, before it starts on 14 Nov 2026"):
        board_ratings(
            session,
            admin,
            programme_id=_programme_id(session),
            start=date(2026, 11, 14),
            end=date(2026, 11, 1),
            now=NOW,
        )


def test_thresholds_are_set_by_admins_and_change_the_ratings(session: Session) -> None:
    programme_id = _programme_id(session)
    admin = actor_for_email(session, ADMIN)
    with pytest.raises(NotAllowed):
        save_thresholds(
            session, actor_for_email(session, OWNER), programme_id=programme_id, values={}
        )
    with pytest.raises(Invalid) as refused:
        save_thresholds(
            session,
            admin,
            programme_id=programme_id,
            values={"scope_red_pct": "lots", "delivery_amber_pct": 120, "colour": 1},
        )
    assert refused.value.problems == [
        "colour: no such threshold",
        "scope_red_pct: must be a number, not 'lots'",
        "delivery_amber_pct: must be a number from 0 to 100, not 120.0",
        "delivery_red_pct: must not be below delivery_amber_pct (120)",
    ]
    assert programme_thresholds(session, admin, programme_id=programme_id).scope_red_pct == 20
    before = _by_ref(board_ratings(session, admin, programme_id=programme_id, now=NOW).ratings)
    save_thresholds(
        session,
        admin,
        programme_id=programme_id,
        values={"delivery_amber_pct": 60, "delivery_red_pct": 90, "velocity_drop_pct": 100},
    )
    session.commit()
    board = actor_for_email(session, BOARD)
    assert programme_thresholds(session, board, programme_id=programme_id).delivery_red_pct == 90
    after = _by_ref(board_ratings(session, board, programme_id=programme_id, now=NOW).ratings)
    assert "red" in set(before["Delivery"])
    assert set(after["Delivery"]) <= {"green", "no data"}


def test_owners_write_their_own_deliverables_notes(session: Session) -> None:
    owner = actor_for_email(session, OWNER)
    rb01 = deliverable_by_ref(session, owner, ref="RB-01")
    cc01 = deliverable_by_ref(session, owner, ref="CC-01")
    with pytest.raises(NotAllowed):
        save_note(
            session,
            owner,
            deliverable_id=cc01.id,
            period=PERIOD,
            summary="",
            next_period="",
            declared={},
        )
    with pytest.raises(Invalid) as refused:
        save_note(
            session,
            owner,
            deliverable_id=rb01.id,
            period=PERIOD,
            summary="x" * 4001,
            next_period="",
            declared={"Time": "purple", "Mood": "green"},
        )
    assert refused.value.problems == [
        "summary: 4001 characters; at most 4000",
        "Time: 'purple' is not red, amber or green",
        "Mood: not a dimension (Time, Scope, Delivery, Acceptance, Assurance, "
        "Risks and dependencies)",
    ]
    save_note(
        session,
        owner,
        deliverable_id=rb01.id,
        period=PERIOD,
        summary="Migration rehearsal 3 passed.",
        next_period="Cut-over rehearsal",
        declared={"Time": "Amber", "Scope": " "},
    )
    session.commit()
    notes = period_notes(
        session, actor_for_email(session, BOARD), programme_id=rb01.programme_id, period=PERIOD
    ).set_index("ref")
    assert notes.loc["RB-01", "declared"] == {"Time": "amber"}
    assert notes.loc["RB-01", "summary"] == "Migration rehearsal 3 passed."
    assert not notes.loc["RB-01", "may_edit"]


def _declare_everything(session: Session, summary: str = "On plan.") -> None:
    admin = actor_for_email(session, ADMIN)
    for note in period_notes(
        session, admin, programme_id=_programme_id(session), period=PERIOD
    ).itertuples():
        save_note(
            session,
            admin,
            deliverable_id=note.deliverable_id,
            period=PERIOD,
            summary=summary,
            next_period='=HYPERLINK("http://evil")',
            declared=DECLARED,
        )
    session.commit()


def _ledger_size(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


def test_publishing_without_every_declared_rating_writes_nothing(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    entries = _ledger_size(session)
    with pytest.raises(Invalid) as refused:
        publish_report(session, admin, programme_id=_programme_id(session), now=NOW)
    assert refused.value.headline.startswith("not published: 7 deliverables without a declared")
    assert refused.value.problems[0] == (
        "ASC-01: no declared rating for Time, Scope, Delivery, Acceptance, Assurance, "
        "Risks and dependencies"
    )
    session.rollback()
    assert _ledger_size(session) == entries
    assert session.exec(select(HighlightReport)).first() is None


def test_a_published_report_is_frozen_hashed_and_superseded(session: Session) -> None:
    programme_id = _programme_id(session)
    admin = actor_for_email(session, ADMIN)
    with pytest.raises(NotAllowed):
        publish_report(session, actor_for_email(session, OWNER), programme_id=programme_id)
    _declare_everything(session)
    first = publish_report(session, admin, programme_id=programme_id, now=NOW)
    session.commit()
    assert (first.period_start, first.period_end, first.publication) == (
        PERIOD.start,
        PERIOD.end,
        1,
    )
    entry = session.exec(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.subject, entry.action, entry.content_sha256) == (
        "highlight report",
        "publish",
        first.content_sha256,
    )
    assert verify_ledger(session, admin).intact
    frozen = published_content(session, admin, report_id=first.id)
    # a dimension declared better than the data is an exception too (WB-01's Time is red)
    assert any(
        e["ref"] == "WB-01" and e["detail"].startswith("Time declared amber; derived the 50%")
        for e in frozen["exceptions"]
    )
    exports = {kind: export(frozen, kind, "first") for kind in ("html", "csv", "json")}

    # later edits and syncs: a new rating, new notes, new thresholds, a Jira issue finished
    owner = actor_for_email(session, OWNER)
    rb01 = deliverable_by_ref(session, owner, ref="RB-01")
    seen = current_status(session, owner, deliverable_id=rb01.id)
    update_status(
        session,
        owner,
        deliverable_id=rb01.id,
        seen=seen,
        wanted=Status(seen.stage, "red", "Slipped", None),
    )
    _declare_everything(session, summary="Everything changed.")
    save_thresholds(session, admin, programme_id=programme_id, values={"scope_red_pct": 90})
    session.execute(text("UPDATE jira_issue SET estimate = 99 WHERE key = 'RB-12'"))
    session.commit()

    live = build_report(session, admin, programme_id=programme_id, now=NOW)
    assert export(live, "json") != exports["json"]  # the changes show in a fresh report...
    again = published_content(session, admin, report_id=first.id)
    assert {kind: export(again, kind, "first") for kind in exports} == exports  # ...not here

    second = publish_report(session, admin, programme_id=programme_id, now=NOW)
    session.commit()
    assert (second.publication, second.supersedes_id) == (2, first.id)
    listed = published_reports(session, actor_for_email(session, BOARD), programme_id=programme_id)
    assert listed["id"].tolist() == [second.id, first.id]
    assert listed["publication"].tolist() == [2, 1]
    assert pd.isna(listed["superseded_by"].iloc[0])
    assert listed["superseded_by"].iloc[1] == second.id
    # the superseded report is still readable, as it was
    assert export(published_content(session, admin, report_id=first.id), "json") == exports["json"]
    assert "Everything changed." in export(
        published_content(session, admin, report_id=second.id), "json"
    )
    assert verify_ledger(session, admin).intact


def test_a_published_report_cannot_be_changed(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    _declare_everything(session)
    published = publish_report(session, admin, programme_id=_programme_id(session), now=NOW)
    session.commit()
    report = session.get(HighlightReport, published.id)
    report.content = "{}"
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    with pytest.raises(DatabaseError):
        session.connection().exec_driver_sql("UPDATE highlight_report SET content = '{}'")
    session.rollback()


def test_a_supplier_reads_only_their_rows_of_a_published_report(session: Session) -> None:
    admin = actor_for_email(session, ADMIN)
    _declare_everything(session)
    published = publish_report(session, admin, programme_id=_programme_id(session), now=NOW)
    session.commit()
    supplier = actor_for_email(session, LEDGERLINE)
    content = published_content(session, supplier, report_id=published.id)
    assert [d["ref"] for d in content["deliverables"]] == ["CTAX-02", "RB-01"]
    assert {e["ref"] for e in content["exceptions"]} <= {"CTAX-02", "RB-01"}
    gates = [g for d in content["deliverables"] for g in d["assurance"]["gates"]]
    assert {g["organisation"] for g in gates} == {"Ledgerline Systems Ltd"}
    reasons = " ".join(r["reason"] for r in content["programme_ratings"])
    assert "WB-01" not in reasons and "ASC-01" not in reasons
    with pytest.raises(NotFound):
        published_content(session, supplier, report_id=published.id + 99)


def test_owner_text_is_escaped_in_html_and_inert_in_csv(session: Session) -> None:
    owner = actor_for_email(session, OWNER)
    rb01 = deliverable_by_ref(session, owner, ref="RB-01")
    save_note(
        session,
        owner,
        deliverable_id=rb01.id,
        period=PERIOD,
        summary='<script>alert("x")</script>',
        next_period="@SUM(A1:A9)",
        declared={},
    )
    session.commit()
    content = build_report(
        session, actor_for_email(session, BOARD), programme_id=rb01.programme_id, now=NOW
    )
    html = report_html(content)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert html.count('class="deliverable"') == 7  # a page per deliverable
    assert "<svg" in html and "Burnup of RB-01" in html
    rows = report_csv(content).splitlines()
    assert any(",'@SUM(A1:A9)" in row for row in rows)
    assert json.loads(export(content, "json"))["deliverables"][4]["summary"].startswith("<script>")


def test_a_hidden_programme_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        board_ratings(session, actor_for_email(session, BOARD), programme_id=999, now=NOW)
