"""Issue links for the demo's Jira sites, added to the generated files as they load.

data/demo/jira_links.json names each link compactly ("CC-36 blocks WST-40"); here each becomes
the `issuelinks` entries Jira's search response would carry on both synced ends, with the other
end's id, key, `self` address (so a link to the other council's Jira maps across sites), summary
and status. The import then reads them like any council's export.
"""

import json
from pathlib import Path
from typing import Any

from tracker.jira_sync.dataset import SiteData

#: an unsynced end's status name, as Jira's status categories
CATEGORIES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}


def _api(site: SiteData) -> str:
    version = "3" if site["site"]["kind"] == "cloud" else "2"
    return f"{site['site']['url'].rstrip('/')}/rest/api/{version}"


def _embedded(site: SiteData, end: dict[str, Any], issue: dict[str, Any] | None) -> dict[str, Any]:
    """The other issue of a link as Jira embeds it."""
    if issue is not None:
        issue_id, fields = issue["id"], issue["fields"]
        summary, status = fields["summary"], fields["status"]
    else:
        issue_id, summary = end["id"], end["summary"]
        status = {"name": end["status"], "statusCategory": {"key": CATEGORIES[end["status"]]}}
    return {
        "id": issue_id,
        "key": end["key"],
        "self": f"{_api(site)}/issue/{issue_id}",
        "fields": {"summary": summary, "status": status},
    }


def add_links(sites: dict[str, SiteData], path: Path) -> int:
    """Add the file's links to the sites' issues (every board's copy); returns how many links."""
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    copies: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for name, site in sites.items():
        for board in site["boards"].values():
            for issue in board["issues"]:
                copies.setdefault((name, issue["key"]), []).append(issue)
    for link in spec["links"]:
        kind = spec["types"][link["type"]]
        ends = {side: link[side] for side in ("from", "to")}
        issues = {side: copies.get((end["site"], end["key"]), []) for side, end in ends.items()}
        for side, other, direction in (
            ("from", "to", "outwardIssue"),
            ("to", "from", "inwardIssue"),
        ):
            site = sites[ends[side]["site"]]
            other_site = sites[ends[other]["site"]]
            other_issue = issues[other][0] if issues[other] else None
            entry = {
                "id": link["id"],
                "self": f"{_api(site)}/issueLink/{link['id']}",
                "type": {
                    "id": kind["id"],
                    "name": link["type"],
                    "inward": kind["inward"],
                    "outward": kind["outward"],
                },
                direction: _embedded(other_site, ends[other], other_issue),
            }
            for issue in issues[side]:
                issue["fields"].setdefault("issuelinks", []).append(entry)
    return len(spec["links"])
