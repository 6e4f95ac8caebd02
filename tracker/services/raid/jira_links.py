"""Dependencies read from Jira: the blocking links between issues of different deliverables.

The sync stores every issue's `issuelinks` (tracker.models.JiraIssueLink). Here the links of the
types a site counts as blocking (`JiraSite.blocking_link_types`, Jira's "Blocks" by default) are
turned round into "consumer waits on provider", each end found on whichever synced site its
`self` address names (so a link to another council's Jira maps across), mapped to deliverables by
their scope rules, and dated by sprints: the consumer needs the work when its sprint starts, and
the provider will have it when its sprint ends. A link to an issue on no synced board is kept,
with the provider unknown, rather than dropped.
"""

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from tracker.models import (
    Deliverable,
    JiraIssue,
    JiraIssueLink,
    JiraSite,
    JiraSprint,
    Organisation,
)
from tracker.services.delivery.issues import _deliverable_issue_map

UK = "Europe/London"
#: keys per IN (...) list, far below either database's parameter limit
CHUNK = 1000
#: what other code reads from _jira_dependencies
COLUMNS = [
    "consumer_deliverable_id",
    "provider_deliverable_id",
    "consumer_issue",
    "provider_issue",
    "provider_summary",
    "link_type",
    "needed_by",
    "expected_by",
    "same_sprint",
    "known",
    "done",
]
_SIDES = ("consumer", "provider")


def _sites(session: Session) -> pd.DataFrame:
    rows = [
        (
            site.id,
            site.url.rstrip("/").casefold(),
            [t.casefold() for t in site.blocking_link_types or ()],
        )
        for site in session.execute(select(JiraSite)).scalars()
    ]
    return pd.DataFrame(rows, columns=["site_id", "url", "blocking"])


def _issues(session: Session, keys: set[str]) -> pd.DataFrame:
    """The issues with these keys, on any site (links are few: only their ends are read)."""
    wanted = sorted(keys)
    parts = [
        pd.read_sql(
            select(
                JiraIssue.id.label("issue_id"),  # type: ignore[union-attr]
                JiraIssue.site_id,
                JiraIssue.key,
                JiraIssue.summary,
                JiraIssue.sprint_ids,
                JiraIssue.status_category,
            ).where(
                JiraIssue.removed_at.is_(None),  # type: ignore[union-attr]
                JiraIssue.key.in_(wanted[start : start + CHUNK]),  # type: ignore[attr-defined]
            ),
            session.connection(),
        )
        for start in range(0, max(len(wanted), 1), CHUNK)
    ]
    return pd.concat(parts, ignore_index=True)


def _current_sprints(session: Session, issues: pd.DataFrame) -> pd.DataFrame:
    """Each issue's sprint still to run or running (Jira puts an issue in one at a time; the
    newest wins if a file says otherwise): [issue_id, sprint_id, start, end] in UK dates."""
    sprints = pd.read_sql(
        select(
            JiraSprint.site_id,
            JiraSprint.jira_id.label("sprint_id"),  # type: ignore[attr-defined]
            JiraSprint.state,
            JiraSprint.start_at,
            JiraSprint.end_at,
        ).where(JiraSprint.state != "closed"),
        session.connection(),
    )
    listed = issues[["issue_id", "site_id", "sprint_ids"]].assign(
        sprint_id=issues["sprint_ids"].fillna("").str.split(",")
    )
    listed = listed.explode("sprint_id")
    listed = listed[listed["sprint_id"].fillna("").str.isdigit()].astype({"sprint_id": "int64"})
    current = (
        listed.merge(sprints, on=["site_id", "sprint_id"])
        .sort_values("sprint_id")
        .drop_duplicates("issue_id", keep="last")
    )

    def uk_day(column: str) -> pd.Series:
        stamps = pd.to_datetime(current[column], utc=True)
        return stamps.dt.tz_convert(UK).dt.tz_localize(None).dt.normalize()

    return pd.DataFrame(
        {
            "issue_id": current["issue_id"],
            "sprint_id": current["sprint_id"],
            "start": uk_day("start_at"),
            "end": uk_day("end_at"),
        }
    )


def _links(session: Session) -> pd.DataFrame:
    """Every stored link of an issue still in Jira, with that issue's site and key."""
    return pd.read_sql(
        select(
            JiraIssueLink.issue_id,
            JiraIssue.site_id,
            JiraIssue.key,
            JiraIssueLink.type_name,
            JiraIssueLink.outward,
            JiraIssueLink.other_key,
            JiraIssueLink.other_base_url,
            JiraIssueLink.other_summary,
            JiraIssueLink.other_status_category,
        )
        .join(JiraIssue, JiraIssue.id == JiraIssueLink.issue_id)
        .where(JiraIssue.removed_at.is_(None)),  # type: ignore[union-attr]
        session.connection(),
    )


def _blocking_links(links: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Links of a blocking type, one row per link, as provider -> consumer keys on sites."""
    blocking = sites.explode("blocking")[["site_id", "blocking"]]
    links = links.assign(blocking=links["type_name"].str.casefold()).merge(
        blocking, on=["site_id", "blocking"]
    )
    by_url = dict(zip(sites["url"], sites["site_id"], strict=True))
    other_site = links["other_base_url"].fillna("").str.rstrip("/").str.casefold().map(by_url)
    links["other_site_id"] = other_site.fillna(links["site_id"]).astype("int64")
    outward = links["outward"].astype(bool)
    # outward: this issue <blocks> the other, so this one provides and the other waits
    frame = pd.DataFrame(
        {
            "provider_site": links["site_id"].where(outward, links["other_site_id"]),
            "provider_key": links["key"].where(outward, links["other_key"]),
            "consumer_site": links["other_site_id"].where(outward, links["site_id"]),
            "consumer_key": links["other_key"].where(outward, links["key"]),
            "link_type": links["type_name"],
            "other_summary": links["other_summary"],
            "other_status_category": links["other_status_category"],
            # what the link says of the other end matters when that end may be unsynced
            "other_is_provider": ~outward,
        }
    )
    return frame.drop_duplicates(["provider_site", "provider_key", "consumer_site", "consumer_key"])


def _jira_dependencies(
    session: Session, programme_id: int, mapping: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Blocking links whose waiting end belongs to a deliverable of the programme and whose other
    end does not belong to the same deliverable, with dates and states (COLUMNS). `mapping`:
    the programme's _deliverable_issue_map() when the caller has read it."""
    sites = _sites(session)
    stored = _links(session)
    issues = _issues(session, set(stored["key"]) | set(stored["other_key"]))
    links = _blocking_links(stored, sites)
    keyed = issues[["issue_id", "site_id", "key", "summary", "status_category"]]
    for side in _SIDES:
        links = links.merge(
            keyed.rename(columns=lambda c, s=side: f"{s}_{c}"),
            left_on=[f"{side}_site", f"{side}_key"],
            right_on=[f"{side}_site_id", f"{side}_key"],
            how="left",
        ).drop(columns=[f"{side}_site_id"])
    if mapping is None:
        mapping = _deliverable_issue_map(session, programme_id)
    links = links.merge(
        mapping.rename(
            columns={"issue_id": "consumer_issue_id", "deliverable_id": "consumer_deliverable_id"}
        ),
        on="consumer_issue_id",
    )
    links = links.merge(
        mapping.rename(
            columns={"issue_id": "provider_issue_id", "deliverable_id": "provider_deliverable_id"}
        ),
        on="provider_issue_id",
        how="left",
    )
    links = links[links["consumer_deliverable_id"] != links["provider_deliverable_id"]]
    sprints = _current_sprints(session, issues)
    for side, column in (("consumer", "start"), ("provider", "end")):
        links = links.merge(
            sprints[["issue_id", "sprint_id", column]].rename(
                columns={
                    "issue_id": f"{side}_issue_id",
                    "sprint_id": f"{side}_sprint",
                    column: f"{side}_date",
                }
            ),
            on=f"{side}_issue_id",
            how="left",
        )
    known = links["provider_issue_id"].notna()
    provider_state = links["provider_status_category"].where(
        known, links["other_status_category"].where(links["other_is_provider"])
    )
    done = provider_state.eq("done") | links["consumer_status_category"].eq("done")
    out = pd.DataFrame(
        {
            "consumer_deliverable_id": links["consumer_deliverable_id"].astype("int64"),
            "provider_deliverable_id": links["provider_deliverable_id"].astype("Int64"),
            "consumer_issue": links["consumer_key"],
            "provider_issue": links["provider_key"],
            "provider_summary": links["provider_summary"].where(
                known, links["other_summary"].where(links["other_is_provider"])
            ),
            "link_type": links["link_type"],
            "needed_by": links["consumer_date"],
            "expected_by": links["provider_date"],
            "same_sprint": (
                links["consumer_sprint"].notna()
                & links["consumer_sprint"].eq(links["provider_sprint"])
                & links["consumer_site"].eq(links["provider_site"])
            ),
            "known": known,
            "done": done.fillna(False).astype(bool),
        }
    )
    return out[COLUMNS].reset_index(drop=True)


def _deliverable_names(session: Session, programme_id: int) -> pd.DataFrame:
    """[deliverable_id, ref, owner_org] of the programme's deliverables."""
    return pd.read_sql(
        select(
            Deliverable.id.label("deliverable_id"),  # type: ignore[union-attr]
            Deliverable.ref,
            Organisation.name.label("owner_org"),  # type: ignore[attr-defined]
        )
        .join(Organisation, Organisation.id == Deliverable.owner_org_id)
        .where(Deliverable.programme_id == programme_id),
        session.connection(),
    )
