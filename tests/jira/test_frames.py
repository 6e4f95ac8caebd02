"""The frames handed to the metrics, and which issues belong to which deliverable."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from jira_simulator import generate_demo_sites
from tests.jira_server.sample import build_site
from tests.support.jira import LiveSite
from tracker.jira_sync.dataset import write_dataset
from tracker.jira_sync.offline import import_site_directory
from tracker.metrics.frames import EVENT_COLUMNS, ISSUE_COLUMNS, STATE_FIELDS, validate
from tracker.metrics.sprint_report import sprint_report
from tracker.models import (
    ChangelogEvent,
    Deliverable,
    DeliverableJqlMatch,
    DeliverableScope,
    JiraBoard,
    JiraIssue,
    JiraSite,
    Organisation,
    Programme,
)
from tracker.services.delivery.frames import _board_frames, _programme_frames
from tracker.services.delivery.issues import _deliverable_issue_map


@pytest.fixture(scope="module")
def northmoor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("northmoor")
    write_dataset(generate_demo_sites()["northmoor"], directory)
    return directory


def _board_id(session: Session, jira_id: int, site: str | None = None) -> int:
    query = select(JiraBoard.id).where(JiraBoard.jira_id == jira_id)
    if site:
        query = query.join(JiraSite, JiraSite.id == JiraBoard.site_id).where(JiraSite.name == site)
    return session.execute(query).scalar_one()


def test_board_frames_follow_the_metrics_contract(engine: Engine, northmoor_dir: Path) -> None:
    import_site_directory(engine, northmoor_dir)
    with Session(engine) as session:
        frames = _board_frames(session, _board_id(session, 1))
        stored = session.execute(
            select(func.count()).where(ChangelogEvent.field.in_(STATE_FIELDS))  # type: ignore[attr-defined]
        ).scalar_one()

    validate(frames.issues, ISSUE_COLUMNS, "issues")
    validate(frames.events, EVENT_COLUMNS, "events")
    issues, events = frames.issues, frames.events
    assert str(issues["created"].dtype) == "datetime64[ns, UTC]"
    assert str(events["at"].dtype) == "datetime64[ns, UTC]"
    assert issues["issue_id"].is_unique and (issues["board_id"] == issues["board_id"].iloc[0]).all()
    assert set(events["field"]) <= set(STATE_FIELDS) and 0 < len(events) <= stored
    assert events["seq"].is_monotonic_increasing and events["seq"].is_unique
    ordered = events.sort_values(["issue_id", "at", "seq"])
    assert ordered.index.equals(events.index)
    assert (issues.loc[issues["estimate"].isna(), "estimate"].isna()).all()
    assert set(issues["sprint_ids"]) >= {""} and not issues["sprint_ids"].str.contains(" ").any()
    assert frames.done_status_ids and all(isinstance(s, str) for s in frames.done_status_ids)
    closed = [s for s in frames.sprints if s.state == "closed"]
    assert closed and all(s.complete is not None for s in closed)


def test_sub_tasks_point_at_their_parent(engine: Engine, northmoor_dir: Path) -> None:
    import_site_directory(engine, northmoor_dir)
    with Session(engine) as session:
        issues = _board_frames(session, _board_id(session, 1)).issues
        keys = dict(session.execute(select(JiraIssue.id, JiraIssue.key)).all())
        parents = dict(session.execute(select(JiraIssue.key, JiraIssue.parent_key)).all())

    subtasks = issues.loc[issues["is_subtask"]]
    assert len(subtasks) > 0 and subtasks["parent_id"].notna().all()
    for row in subtasks.itertuples():
        assert parents[row.key] == keys[int(row.parent_id)]
    assert issues.loc[~issues["is_subtask"], "parent_id"].isna().all()


def test_the_frames_feed_a_sprint_report(engine: Engine, northmoor_dir: Path) -> None:
    import_site_directory(engine, northmoor_dir)
    with Session(engine) as session:
        frames = _board_frames(session, _board_id(session, 2))

    sprint = [s for s in frames.sprints if s.state == "closed"][-1]
    report = sprint_report(frames.issues, frames.events, sprint, frames.done_status_ids)

    assert len(report.issues) > 0
    assert report.completed.points >= 0 and report.committed.issues > 0


def _programme(session: Session, scopes: list[tuple[str, str, str, str]]) -> int:
    """A programme whose deliverables are (ref, site, kind, value) scopes."""
    org = Organisation(name="Northmoor District Council", kind="council")
    programme = Programme(name="Shared services")
    session.add_all([org, programme])
    session.flush()
    sites = dict(session.execute(select(JiraSite.name, JiraSite.id)).all())
    refs: dict[str, int] = {}
    for ref, site, kind, value in scopes:
        if ref not in refs:
            deliverable = Deliverable(
                programme_id=programme.id or 0, ref=ref, title=ref, owner_org_id=org.id or 0
            )
            session.add(deliverable)
            session.flush()
            refs[ref] = deliverable.id or 0
        session.add(
            DeliverableScope(deliverable_id=refs[ref], site_id=sites[site], kind=kind, value=value)
        )
    session.commit()
    return programme.id or 0


def _mapped(session: Session, programme_id: int) -> dict[str, set[str]]:
    mapped = _deliverable_issue_map(session, programme_id)
    keys = dict(session.execute(select(JiraIssue.id, JiraIssue.key)).all())
    refs = dict(session.execute(select(Deliverable.id, Deliverable.ref)).all())
    found: dict[str, set[str]] = {}
    for row in mapped.itertuples():
        found.setdefault(refs[row.deliverable_id], set()).add(keys[row.issue_id])
    return found


def test_every_scope_kind_maps_issues_to_deliverables(
    live_site: Callable[..., LiveSite],
) -> None:
    data = build_site("datacenter")
    for board in data["boards"].values():
        for issue in board["issues"]:
            if issue["key"] in {"REV-2", "HWK-1"}:
                issue["fields"]["labels"] = ["self-service"]
            if issue["key"] == "HWK-3":
                issue["fields"]["components"] = [{"name": "Calendar"}]
    site = live_site("datacenter", data)
    site.sync(boards=(1, 2))
    with Session(site.engine) as session:
        programme_id = _programme(
            session,
            [
                ("BOARD", site.name, "board", "2"),
                ("EPIC", site.name, "epic", "rev-5"),
                ("COMP", site.name, "component", "Calendar"),
                ("LABEL", site.name, "label", "self-service"),
                ("JQL", site.name, "jql", "project = REV AND key in (REV-1, REV-4)"),
            ],
        )
    site.server.reset_log()
    result = site.sync()  # JQL scopes are evaluated by Jira, at sync time

    assert result.ok
    keys_only = [r for r in site.server.requests if r.query.get("fields") == "key"]
    assert [r.query["jql"] for r in keys_only] == ["project = REV AND key in (REV-1, REV-4)"]
    with Session(site.engine) as session:
        mapped = _mapped(session, programme_id)
        matches = session.execute(
            select(func.count()).select_from(DeliverableJqlMatch)
        ).scalar_one()
    assert matches == 2
    assert mapped == {
        "BOARD": {"HWK-1", "HWK-2", "HWK-3", "HWK-4", "REV-6"},
        "EPIC": {"REV-5", "REV-2", "REV-3"},
        "COMP": {"HWK-3"},
        "LABEL": {"REV-2", "HWK-1"},
        "JQL": {"REV-1", "REV-4"},
    }


def test_programme_frames_cover_every_board_its_deliverables_reach(
    engine: Engine, northmoor_dir: Path
) -> None:
    import_site_directory(engine, northmoor_dir)
    with Session(engine) as session:
        programme_id = _programme(session, [("RB", "northmoor", "board", "1")])
        mapped, frames = _programme_frames(session, programme_id)
        board = _board_id(session, 1)
        pd.testing.assert_frame_equal(mapped, _deliverable_issue_map(session, programme_id))

    assert set(frames.issues["board_id"]) == {board}
    assert set(mapped["issue_id"]) == set(frames.issues["issue_id"])
    one = frames.board(board)
    validate(one.issues, ISSUE_COLUMNS, "issues")
    assert one.done_status_ids == frames.done_status_ids[board]
    assert not frames.events.duplicated(["issue_id", "seq"]).any()
    assert isinstance(frames.events, pd.DataFrame)
