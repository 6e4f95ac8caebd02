"""Jira issue links: stored from the search response at sync and import (no request more), the
link types that mean "blocks" chosen per site, and links mapped to deliverables, across sites."""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.jira_server.sample import URL, build_site
from tests.support.jira import LiveSite
from tracker.db import session_scope
from tracker.jira_sync.dataset import write_dataset
from tracker.jira_sync.offline import import_site_directory
from tracker.models import (
    Deliverable,
    DeliverableScope,
    JiraIssue,
    JiraIssueLink,
    JiraSite,
    Organisation,
    Programme,
    ScopeKind,
)
from tracker.services.raid.jira_links import _jira_dependencies


def links_of(engine: Engine) -> set[tuple[str, str, str, bool, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(
                JiraIssue.key,
                JiraIssueLink.link_id,
                JiraIssueLink.type_name,
                JiraIssueLink.outward,
                JiraIssueLink.other_key,
            ).join(JiraIssue, JiraIssue.id == JiraIssueLink.issue_id)
        ).all()
    return {tuple(row) for row in rows}


def programme(engine: Engine, scopes: dict[str, tuple[str, str]]) -> int:
    """A programme whose deliverables (ref -> (site name, board id)) are whole boards."""
    with session_scope(engine) as session:
        council = Organisation(name="Council", kind="council")
        plan = Programme(name="Linked")
        session.add_all([council, plan])
        session.flush()
        for ref, (site_name, board) in scopes.items():
            site = session.exec(select(JiraSite).where(JiraSite.name == site_name)).one()
            deliverable = Deliverable(
                programme_id=plan.id or 0, ref=ref, title=ref, owner_org_id=council.id or 0
            )
            session.add(deliverable)
            session.flush()
            session.add(
                DeliverableScope(
                    deliverable_id=deliverable.id or 0,
                    site_id=site.id or 0,
                    kind=ScopeKind.board,
                    value=board,
                )
            )
        return plan.id or 0


def dependencies(engine: Engine, programme_id: int) -> list[tuple]:
    with Session(engine) as session:
        frame = _jira_dependencies(session, programme_id)
        refs = dict(session.exec(select(Deliverable.id, Deliverable.ref)).all())
    return sorted(
        (
            refs[row.consumer_deliverable_id],
            row.consumer_issue,
            refs.get(row.provider_deliverable_id),
            row.provider_issue,
            str(row.needed_by.date()) if row.known else None,
            str(row.expected_by.date()) if row.known else None,
            row.known,
            row.done,
        )
        for row in frame.itertuples()
    )


def test_sync_stores_both_ends_of_each_link_from_the_search(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("datacenter")
    assert site.sync(boards=(1, 2)).ok
    assert links_of(site.engine) == {
        ("REV-6", "20001", "Blocks", True, "HWK-3"),
        ("HWK-3", "20001", "Blocks", False, "REV-6"),
        ("REV-4", "20002", "Blocks", False, "OPS-9"),
        ("HWK-4", "20003", "Relates", True, "REV-2"),
        ("REV-2", "20003", "Relates", False, "HWK-4"),
    }
    # Links come in the search response: no request per issue or per link.
    assert site.server.count(r"/issue(Link)?/") == 0
    plan = programme(
        site.engine, {"REV": ("datacenter-site", "1"), "HWK": ("datacenter-site", "2")}
    )
    assert dependencies(site.engine, plan) == [
        # HWK-3's sprint starts 19 Jan; REV-6's ends 2 Feb: late
        ("HWK", "HWK-3", "REV", "REV-6", "2026-01-19", "2026-02-02", True, False),
        # OPS-9 is on no synced board: kept, as unknown
        ("REV", "REV-4", None, "OPS-9", None, None, False, False),
    ]
    # A second sync replaces, never duplicates.
    assert site.sync(full=True).ok
    assert len(links_of(site.engine)) == 5


def test_the_link_types_that_mean_blocks_are_the_site_s(
    live_site: Callable[..., LiveSite],
) -> None:
    site = live_site("cloud")
    assert site.sync(boards=(1, 2)).ok
    with session_scope(site.engine) as session:
        row = session.exec(select(JiraSite).where(JiraSite.name == "cloud-site")).one()
        assert row.blocking_link_types == ["Blocks"]
        row.blocking_link_types = ["relates"]  # matched ignoring case
        session.add(row)
    plan = programme(site.engine, {"REV": ("cloud-site", "1"), "HWK": ("cloud-site", "2")})
    # HWK-4 "relates to" REV-2, read as HWK-4 blocks REV-2; REV-2 is done, so it is met.
    assert [(d[1], d[3], d[7]) for d in dependencies(site.engine, plan)] == [
        ("REV-2", "HWK-4", True)
    ]


def test_a_link_to_another_synced_site_maps_across(
    live_site: Callable[..., LiveSite], tmp_path: Path
) -> None:
    """Two councils with the same project keys: REV-4 on the Cloud site is blocked by HWK-3 of
    the Data Center site, whose `self` address says which."""
    other = build_site("datacenter")
    write_dataset(other, tmp_path / "dc")
    data = build_site("cloud")
    target = next(i for i in other["boards"][2]["issues"] if i["key"] == "HWK-3")
    for issue in data["boards"][1]["issues"]:
        for link in issue["fields"]["issuelinks"]:
            if link["id"] == "20002":
                link["inwardIssue"] = {
                    "id": target["id"],
                    "key": "HWK-3",
                    "self": target["self"],
                    "fields": {"summary": target["fields"]["summary"]},
                }
    site = live_site("cloud", data=data)
    assert site.sync(boards=(1,)).ok
    import_site_directory(site.engine, tmp_path / "dc")
    assert target["self"].startswith(URL["datacenter"])
    plan = programme(
        site.engine,
        {"REV": ("cloud-site", "1"), "DC-HWK": ("Sample councils (datacenter)", "2")},
    )
    assert dependencies(site.engine, plan) == [
        ("REV", "REV-4", "DC-HWK", "HWK-3", "2026-01-19", "2026-02-02", True, False)
    ]


def test_import_stores_links_as_the_sync_does(engine: Engine, tmp_path: Path) -> None:
    write_dataset(build_site("cloud"), tmp_path / "site")
    import_site_directory(engine, tmp_path / "site")
    assert ("REV-4", "20002", "Blocks", False, "OPS-9") in links_of(engine)
    assert len(links_of(engine)) == 5
