"""The replay oracle: Jira's raw JSON read the way the sync reads it (docs/jira-data.md), so a
test can ask what an issue's status, sprints and estimate were at any instant from its changelog
alone, independently of tracker's own normalisation."""

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from tracker.jira_sync.dataset import SiteData

SPRINT_SCHEMA = "com.pyxis.greenhopper.jira:gh-sprint"


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def ids(text: str | None) -> list[int]:
    return [int(part) for part in (text or "").split(",") if part.strip()]


def sprint_field(site: SiteData) -> dict[str, Any]:
    return next(f for f in site["field"] if f.get("schema", {}).get("custom") == SPRINT_SCHEMA)


def estimate_field(site: SiteData, board_id: int) -> dict[str, Any]:
    field_id = site["boards"][board_id]["configuration"]["estimation"]["field"]["fieldId"]
    return next(f for f in site["field"] if f["id"] == field_id)


def sprint_ids(value: list[Any] | None) -> list[int]:
    """Cloud sends sprint objects, Data Center the greenhopper toString()."""
    found = []
    for item in value or []:
        if isinstance(item, dict):
            found.append(int(item["id"]))
        else:
            match = re.search(r"[\[,]id=(\d+)", item)
            assert match, item
            found.append(int(match.group(1)))
    return found


def done_statuses(site: SiteData, board_id: int) -> set[str]:
    columns = site["boards"][board_id]["configuration"]["columnConfig"]["columns"]
    return {status["id"] for status in columns[-1]["statuses"]}


def in_order(issue: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(issue["changelog"]["histories"], key=lambda h: (when(h["created"]), int(h["id"])))


def matches(item: dict[str, Any], field: dict[str, Any]) -> bool:
    """fieldId when Jira sends it, else the field's name, ignoring case."""
    if "fieldId" in item:
        return item["fieldId"] == field["id"]
    return item["field"].lower() == field["name"].lower()


def matches_sprint(site: SiteData) -> Callable[[dict[str, Any]], bool]:
    field = sprint_field(site)
    return lambda item: matches(item, field)


def changes(
    issue: dict[str, Any], test: Callable[[dict[str, Any]], bool]
) -> Iterator[tuple[datetime, dict[str, Any]]]:
    for history in in_order(issue):
        for item in history["items"]:
            if test(item):
                yield when(history["created"]), item


def points(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


class Replay:
    """One issue's status, sprints and estimate at any instant, from its changelog alone."""

    def __init__(self, site: SiteData, board_id: int, issue: dict[str, Any]) -> None:
        sprint = sprint_field(site)
        estimate = estimate_field(site, board_id)
        self.events: list[tuple[datetime, str, Any]] = []
        for at, item in changes(issue, lambda i: True):
            if item["field"] == "status":
                self.events.append((at, "status", (item["from"], item["to"])))
            elif matches(item, sprint):
                self.events.append((at, "sprint", (ids(item["from"]), ids(item["to"]))))
            elif matches(item, estimate):
                value = (points(item["fromString"]), points(item["toString"]))
                self.events.append((at, "estimate", value))
        fields = issue["fields"]
        current = {
            "status": fields["status"]["id"],
            "sprint": sprint_ids(fields[sprint["id"]]),
            "estimate": fields[estimate["id"]],
        }
        self.initial = dict(current)
        for name in current:
            first = next((value for _, kind, value in self.events if kind == name), None)
            if first is not None:
                self.initial[name] = first[0]
        self.created = when(fields["created"])

    def at(self, moment: datetime, before: bool = False) -> dict[str, Any]:
        """State at `moment` inclusive (or just before it)."""
        state = dict(self.initial)
        for at, kind, (_, new) in self.events:
            if at > moment or (before and at == moment):
                break
            state[kind] = new
        return state


def board_sprints(site: SiteData, board_id: int) -> list[dict[str, Any]]:
    return site["boards"][board_id]["sprints"]


def closed_windows(site: SiteData) -> Iterator[tuple[int, dict[str, Any], datetime, datetime]]:
    for board_id, board in site["boards"].items():
        for sprint in board["sprints"]:
            if sprint["state"] == "closed":
                yield board_id, sprint, when(sprint["startDate"]), when(sprint["completeDate"])


def all_issues(site: SiteData) -> Iterator[tuple[int, dict[str, Any]]]:
    for board_id, board in site["boards"].items():
        for issue in board["issues"]:
            yield board_id, issue
