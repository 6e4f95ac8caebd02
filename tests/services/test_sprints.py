"""Sprint reviews, velocity and programme progress on the demo database, on SQLite and PostgreSQL.

The figures are cross-checked against the rules of docs/jira-sprint-semantics.md applied issue by
issue to the demo's raw Jira JSON (the replay oracle of tests/support/jira_replay.py), so the whole
path (offline import, normalisation, frames, metrics, service) is checked, not the metrics alone.
"""

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.support.jira_replay import (
    Replay,
    changes,
    closed_windows,
    done_statuses,
    ids,
    matches_sprint,
)
from tracker.errors import (
    NotAllowed,
    NotFound,
    TrackerError,
)
from tracker.jira_sync.dataset import SiteData, read_dataset
from tracker.metrics.sprint_report import ReportOptions
from tracker.policy import (
    Actor,
)
from tracker.services.auth.users import actor_for_email
from tracker.services.delivery.sprints import (
    SprintReview,
    board_sprints,
    board_velocity,
    deliverable_boards,
    find_board,
    find_programme,
    programme_progress,
    review_boards,
    review_deliverables,
    sprint_report_for,
)
from tracker.services.lookups import deliverable_by_ref

pytestmark = pytest.mark.db

DEMO_JIRA = Path(__file__).resolve().parents[2] / "data" / "demo" / "jira"
ADMIN = "priya.raman@northmoor.gov.uk"
BOARD_MEMBER = "joan.whitfield@westbridge.gov.uk"
LEDGERLINE = "karen.stokes@ledgerline.co.uk"  # supplies RB-01 (board 1) and CTAX-02 (epic RB-1)
OPEN_DOOR = "grace.nwosu@opendooradvice.org.uk"  # supplies WA-01: label welfare-advice, board 2
PROGRAMME = "Marshland Shared Services Partnership"
NOW = pd.Timestamp("2026-11-27 15:00", tz="UTC")  # when the demo sites were exported


@pytest.fixture(scope="module")
def sites() -> dict[str, SiteData]:
    return {name: read_dataset(DEMO_JIRA / name) for name in ("northmoor", "westbridge")}


@pytest.fixture
def session(demo_engine: Engine) -> Session:
    with Session(demo_engine) as opened:
        yield opened


def actor(session: Session, email: str) -> Actor:
    return actor_for_email(session, email)


def _points(value: Any) -> float:
    return math.nan if value is None else float(value)


def expected_report(site: SiteData, board_id: int, sprint: dict[str, Any]) -> pd.DataFrame:
    """Each issue's outcome, added flag and estimates, by the rules, from the raw changelogs."""
    sid = sprint["id"]
    start = pd.Timestamp(sprint["startDate"]).tz_convert("UTC").to_pydatetime()
    close = pd.Timestamp(sprint["completeDate"]).tz_convert("UTC").to_pydatetime()
    done = done_statuses(site, board_id)
    is_sprint = matches_sprint(site)
    rows = []
    for issue in site["boards"][board_id]["issues"]:
        if issue["fields"]["issuetype"]["subtask"]:
            continue
        replay = Replay(site, board_id, issue)
        in_at_start = replay.created <= start and sid in replay.at(start)["sprint"]
        entries = [
            at
            for at, item in changes(issue, is_sprint)
            if start < at <= close and sid in ids(item["to"]) and sid not in ids(item["from"])
        ]
        if start < replay.created <= close and sid in replay.initial["sprint"]:
            entries.append(replay.created)
        if not in_at_start and not entries:
            continue
        entry = start if in_at_start else min(entries)
        at_entry, at_close = replay.at(entry), replay.at(close)
        status_moved = any(
            entry < at <= close for at, _ in changes(issue, lambda i: i["field"] == "status")
        )
        if sid not in at_close["sprint"]:
            outcome = "removed"
        elif at_close["status"] in done and at_entry["status"] in done and not status_moved:
            outcome = "completed_outside"
        elif at_close["status"] in done:
            outcome = "completed"
        else:
            outcome = "not_completed"
        rows.append(
            {
                "key": issue["key"],
                "outcome": outcome,
                "added": not in_at_start,
                "done_at_start": at_entry["status"] in done,
                "initial_estimate": _points(at_entry["estimate"]),
                "final_estimate": _points(at_close["estimate"]),
            }
        )
    return pd.DataFrame(rows).set_index("key").sort_index()


def _sum(frame: pd.DataFrame, mask: pd.Series, column: str) -> float:
    return float(frame.loc[mask, column].fillna(0.0).sum())


def test_every_closed_demo_sprint_follows_the_rules(session: Session, sites) -> None:
    admin = actor(session, ADMIN)
    checked = 0
    for name, site in sites.items():
        for board_id, sprint, _, _ in closed_windows(site):
            expected = expected_report(site, board_id, sprint)
            review = sprint_report_for(session, admin, board=name, sprint_jira_id=sprint["id"])
            report = review.report
            got = report.issues.set_index("key").sort_index()
            columns = list(expected.columns)
            pd.testing.assert_frame_equal(
                got[columns].astype({"outcome": "str"}), expected, check_names=False
            )
            committed = ~expected["added"] & ~expected["done_at_start"]
            assert report.committed.points == _sum(expected, committed, "initial_estimate")
            assert report.committed.issues == committed.sum()
            completed = expected["outcome"] == "completed"
            assert report.completed.points == _sum(expected, completed, "final_estimate")
            assert report.added.points == _sum(expected, expected["added"], "initial_estimate")
            removed = expected["outcome"] == "removed"
            assert report.removed.points == _sum(expected, removed, "final_estimate")
            checked += 1
    assert checked == 28  # 4 boards x 7 closed sprints


def test_rb_sprint_14_removal_re_adding_and_carry_over(session: Session) -> None:
    review = sprint_report_for(session, actor(session, ADMIN), board="northmoor", sprint_jira_id=70)
    issues = review.issues.set_index("key")

    assert review.sprint.name == "RB Sprint 14"
    assert review.sprint.goal == "Residents can sign up for council tax e-billing"
    assert list(issues.index[issues["outcome"] == "removed"]) == ["RB-12"]
    # RB-15 was removed and put back: completed, and not counted as added
    assert issues.loc["RB-15", "outcome"] == "completed" and not issues.loc["RB-15", "added"]
    assert sorted(issues.index[issues["added"]]) == ["RB-21", "RB-39", "RB-7"]
    assert issues.loc["RB-7", "outcome"] == "completed_outside"
    report = review.report
    assert (report.committed.points, report.committed.issues) == (18, 6)
    assert (report.completed.points, report.completed.issues) == (4, 2)
    assert (report.added.points, report.removed.points) == (4, 5)
    assert issues.loc["RB-12", "url"] == "https://northmoor-shared.atlassian.net/browse/RB-12"
    assert issues.loc["RB-12", "summary"].startswith("Eastvale account migration")

    carried = dict(zip(review.carry_over["key"], review.carry_over["to_sprint"], strict=True))
    assert carried == {
        "RB-10": "backlog",
        "RB-21": "backlog",
        "RB-39": "RB Sprint 15",
        "RB-4": "RB Sprint 15",
        "RB-5": "RB Sprint 15",
    }
    steps = review.burndown.set_index("key")
    assert steps.loc["RB-12", "event"] == "removed"
    assert list(steps.loc["RB-15", "event"]) == ["removed", "added", "burn"]
    assert review.burndown["remaining"].iloc[0] == 18
    assert review.guideline["remaining"].iloc[-1] == 0


def test_cc_sprint_9_on_the_same_site_and_a_data_center_sprint(session: Session) -> None:
    admin = actor(session, ADMIN)
    cc = sprint_report_for(session, admin, board="northmoor", sprint_jira_id=71).issues.set_index(
        "key"
    )
    assert sorted(cc.index[cc["added"]]) == ["CC-6"]
    assert cc.loc["CC-6", ["outcome", "initial_estimate", "final_estimate"]].tolist() == [
        "completed",
        5,
        8,
    ]
    assert cc.loc["CC-5", "outcome"] == "removed"
    assert sorted(cc.index[cc["outcome"] == "not_completed"]) == ["CC-4", "CC-8"]

    wst = sprint_report_for(session, admin, board="westbridge", sprint_jira_id=232)
    assert wst.sprint.name == "WST Sprint 31"
    assert wst.issues.loc[wst.issues["key"] == "WST-9", "url"].item() == (
        "https://jira.westbridge.gov.uk/browse/WST-9"
    )
    assert set(wst.carry_over["to_sprint"]) == {"WST Sprint 32"}


def test_a_board_id_names_the_same_sprint_as_the_site(session: Session) -> None:
    admin = actor(session, ADMIN)
    board = find_board(session, admin, site="northmoor", jira_board_id=1)
    by_site = sprint_report_for(session, admin, board="northmoor", sprint_jira_id=70)
    by_board = sprint_report_for(session, admin, board=board.id, sprint_jira_id=70)
    pd.testing.assert_frame_equal(by_site.issues, by_board.issues)
    with pytest.raises(NotFound, match="no sprint 71 on that board"):
        sprint_report_for(session, admin, board=board.id, sprint_jira_id=71)  # a sprint of board 2


def test_options_are_applied_and_stated(session: Session) -> None:
    admin = actor(session, ADMIN)
    plain = sprint_report_for(session, admin, board="northmoor", sprint_jira_id=70).report
    rolled = sprint_report_for(
        session,
        admin,
        board="northmoor",
        sprint_jira_id=70,
        options=ReportOptions(include_subtasks=True),
    ).report
    assert (plain.committed.points, rolled.committed.points) == (18, 21)
    assert plain.choices["subtasks"] == "sub-tasks are left out, as in Jira"
    assert rolled.choices["subtasks"] == "sub-task estimates are added to their parent's"
    included = sprint_report_for(
        session,
        admin,
        board="northmoor",
        sprint_jira_id=70,
        options=ReportOptions(done_at_start="include"),
    ).report
    assert "counted in committed" in included.choices["done_at_start"]
    assert "left out of committed" in plain.choices["done_at_start"]


def test_a_running_sprint_is_reported_up_to_now(session: Session) -> None:
    review = sprint_report_for(
        session, actor(session, ADMIN), board="northmoor", sprint_jira_id=84, now=NOW
    )
    assert review.sprint.state == "active" and review.report.close == NOW
    assert review.carry_over.empty
    assert review.burndown["event"].iloc[-1] == "end"
    assert review.burndown["at"].iloc[-1] == NOW


def test_unknown_and_unstarted_sprints(session: Session) -> None:
    admin = actor(session, ADMIN)
    with pytest.raises(NotFound, match=r"no site 'nowhere' .*\(sites: northmoor, westbridge\)"):
        sprint_report_for(session, admin, board="nowhere", sprint_jira_id=70)
    with pytest.raises(NotFound, match="no sprint 9999 on site 'northmoor'"):
        sprint_report_for(session, admin, board="northmoor", sprint_jira_id=9999)
    with pytest.raises(TrackerError, match="RB Sprint 22 has not started"):
        sprint_report_for(session, admin, board="northmoor", sprint_jira_id=86)


def test_staff_review_every_board_and_see_started_sprints_newest_first_then_future_ones(
    session: Session,
) -> None:
    member = actor(session, BOARD_MEMBER)
    boards = review_boards(session, member)
    assert [(b.site, b.jira_id) for b in boards] == [
        ("northmoor", 1),
        ("northmoor", 2),
        ("westbridge", 10),
        ("westbridge", 11),
    ]
    sprints = board_sprints(session, member, board_id=boards[0].id)
    started = [f"RB Sprint {n}" for n in range(21, 13, -1)]
    assert [s.name for s in sprints] == [*started, "RB Sprint 22"]
    assert sprints[0].state == "active" and sprints[0].started
    assert sprints[-1].state == "future" and not sprints[-1].started


def test_supplier_reviews_only_their_deliverables(session: Session) -> None:
    supplier = actor(session, LEDGERLINE)
    assert review_boards(session, supplier) == []
    programme = find_programme(session, supplier, name=PROGRAMME)
    assert [d.ref for d in review_deliverables(session, supplier, programme_id=programme.id)] == [
        "CTAX-02",
        "RB-01",
    ]
    ctax = deliverable_by_ref(session, supplier, ref="CTAX-02")
    assert [b.name for b in deliverable_boards(session, supplier, deliverable_id=ctax.id)] == [
        "RB Scrum"
    ]
    # RB-01 covers the whole RB board, so its review is the board's
    rb = deliverable_by_ref(session, supplier, ref="RB-01")
    whole = sprint_report_for(session, actor(session, ADMIN), board="northmoor", sprint_jira_id=72)
    mine = sprint_report_for(
        session, supplier, board="northmoor", sprint_jira_id=72, deliverable_id=rb.id
    )
    pd.testing.assert_frame_equal(mine.issues, whole.issues)
    assert mine.deliverable is not None and mine.deliverable.ref == "RB-01"


def test_supplier_is_refused_other_suppliers_boards_and_deliverables(session: Session) -> None:
    supplier = actor(session, LEDGERLINE)
    with pytest.raises(
        NotFound, match=r"no site 'westbridge' with boards that you can see \(sites: northmoor\)"
    ):
        sprint_report_for(session, supplier, board="westbridge", sprint_jira_id=231)
    asc_board = find_board(session, actor(session, ADMIN), site="westbridge", jira_board_id=10)
    with pytest.raises(NotFound, match="no such board"):
        board_sprints(session, supplier, board_id=asc_board.id)
    with pytest.raises(NotFound, match="no site 'westbridge' with boards that you can see"):
        find_board(session, supplier, site="westbridge", jira_board_id=10)
    asc = deliverable_by_ref(session, actor(session, ADMIN), ref="ASC-01")
    with pytest.raises(TrackerError, match="no such deliverable"):
        sprint_report_for(
            session, supplier, board="northmoor", sprint_jira_id=70, deliverable_id=asc.id
        )
    with pytest.raises(TrackerError, match="no such deliverable"):
        deliverable_boards(session, supplier, deliverable_id=asc.id)
    with pytest.raises(NotAllowed):
        board_velocity(
            session,
            supplier,
            board_id=find_board(session, supplier, site="northmoor", jira_board_id=1).id,
        )
    with pytest.raises(NotAllowed):
        programme_progress(
            session, supplier, programme_id=find_programme(session, supplier, name=PROGRAMME).id
        )


def test_supplier_sees_only_their_issues_on_a_shared_board(session: Session) -> None:
    """Open Door Advice's WA-01 is the welfare-advice label on the contact centre's board."""
    supplier = actor(session, OPEN_DOOR)
    review = sprint_report_for(session, supplier, board="northmoor", sprint_jira_id=71)
    whole = sprint_report_for(session, actor(session, ADMIN), board="northmoor", sprint_jira_id=71)
    keys = set(review.issues["key"])
    assert keys and keys < set(whole.issues["key"])
    assert set(review.burndown["key"].dropna()) <= keys
    assert set(review.carry_over["key"]) <= keys
    labelled = {"CC-19", "CC-4"}  # the sprint's welfare-advice issues
    assert keys == labelled


def _review(session: Session, email: str, site: str, sprint: int) -> SprintReview:
    return sprint_report_for(session, actor(session, email), board=site, sprint_jira_id=sprint)


def test_velocity_is_the_closed_sprints_reports(session: Session) -> None:
    admin = actor(session, ADMIN)
    board = find_board(session, admin, site="westbridge", jira_board_id=10)
    frame = board_velocity(session, admin, board_id=board.id)
    assert list(frame["sprint"]) == [f"ASC Sprint {n}" for n in range(21, 28)]
    for row in frame.itertuples():
        report = _review(session, ADMIN, "westbridge", row.sprint_id).report
        for name in ("committed", "completed", "added", "removed", "not_completed"):
            total = getattr(report, name)
            assert getattr(row, f"{name}_points") == total.points
            assert getattr(row, f"{name}_issues") == total.issues
    assert frame["average_points"].iloc[-1] == pytest.approx(
        frame["completed_points"].iloc[-3:].mean()
    )
    assert frame["average_issues"].iloc[-1] == pytest.approx(
        frame["completed_issues"].iloc[-3:].mean()
    )


def test_programme_progress_rolls_up_every_board_and_deliverable(session: Session) -> None:
    member = actor(session, BOARD_MEMBER)
    programme = find_programme(session, member, name=PROGRAMME.upper())
    progress = programme_progress(session, member, programme_id=programme.id, now=NOW)

    last = progress.burnup.iloc[-1]
    assert last["date"] == pd.Timestamp("2026-11-27")
    assert 0 < last["done_issues"] < last["scope_issues"]
    assert list(progress.forecast["percentile"]) == [50, 85, 95]
    dates = progress.forecast["date"]
    assert dates.notna().all() and dates.is_monotonic_increasing and dates.iloc[0] > last["date"]
    assert sorted(progress.deliverables["ref"].unique()) == [
        "ASC-01",
        "CC-01",
        "CTAX-02",
        "MB-01",
        "RB-01",
        "WA-01",
        "WB-01",
    ]
    assert len(progress.deliverable_forecasts) == 7 * 3
    # each deliverable is part of the programme: never more scope than the whole
    final = progress.deliverables.groupby("ref")["scope_issues"].last()
    assert (final <= last["scope_issues"]).all()
    points = programme_progress(
        session, member, programme_id=programme.id, measure="points", now=NOW
    )
    assert points.measure == "points" and points.forecast["date"].notna().all()


def test_hidden_programme_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="no programme 'Elsewhere'"):
        find_programme(session, actor(session, ADMIN), name="Elsewhere")
