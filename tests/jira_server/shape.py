"""How one stored issue is cut down to what a request asked for: its fields, expands and changelog.

The stored issue is the full search result (every field, complete changelog). Jira never sends all
of that back at once, and the differences (a truncated embedded changelog, missing fields) are what
a sync gets wrong, so they are reproduced here rather than passing the stored JSON through whole.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SPRINT_SCHEMA = "com.pyxis.greenhopper.jira:gh-sprint"
_ALWAYS = ("expand", "id", "self", "key")


def parse_instant(text: str) -> datetime:
    """A Jira timestamp ("2026-03-02T09:15:00.000+0100") as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def jira_timestamp(moment: datetime) -> str:
    """The way Jira writes timestamps in REST bodies, always in UTC here."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def split_list(values: list[str] | str | None) -> list[str]:
    """Query values Jira accepts both repeated and comma-separated (fields, expand, state)."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else values
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


@dataclass(frozen=True)
class FieldSelection:
    """The `fields` parameter: `*all`, `*navigable`, explicit ids, and `-id` exclusions."""

    everything: bool
    navigable: bool
    named: frozenset[str]
    excluded: frozenset[str]

    @classmethod
    def parse(cls, values: list[str] | str | None, default: str) -> "FieldSelection":
        items = split_list(values) or split_list(default)
        return cls(
            everything="*all" in items,
            navigable="*navigable" in items,
            named=frozenset(i for i in items if not i.startswith(("*", "-"))),
            excluded=frozenset(i[1:] for i in items if i.startswith("-")),
        )

    @property
    def ids_only(self) -> bool:
        """Asks for nothing but id/key, which Cloud pages up to 5000 at a time."""
        return not (self.everything or self.navigable) and self.named <= {"id", "key"}

    def wants(self, field_id: str, navigable: bool) -> bool:
        if field_id in self.excluded:
            return False
        return self.everything or (self.navigable and navigable) or field_id in self.named


def sprint_field_id(fields: list[dict[str, Any]]) -> str | None:
    """The sprint custom field, found by its schema as the sync finds it (docs/jira-data.md)."""
    for field in fields:
        if field.get("schema", {}).get("custom") == SPRINT_SCHEMA:
            return str(field["id"])
    return None


def sprint_refs(value: Any) -> list[tuple[int, str]]:
    """(id, name) of each sprint in an issue's sprint field: objects on Cloud, strings on old DC."""
    refs: list[tuple[int, str]] = []
    for item in value or []:
        if isinstance(item, dict) and "id" in item:
            refs.append((int(item["id"]), str(item.get("name", ""))))
        elif isinstance(item, str) and (found := re.search(r"[\[,]id=(\d+)", item)):
            name = re.search(r",name=([^,\]]*)", item)
            refs.append((int(found.group(1)), name.group(1) if name else ""))
    return refs


def most_recent(histories: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """The `limit` newest histories, kept in stored order.

    Jira Cloud embeds only the newest 100 histories (newest first); picking by date rather than by
    position keeps that right whichever order a dataset stores them in.
    """
    if limit is None or len(histories) <= limit:
        return list(histories)
    ranked = sorted(
        range(len(histories)),
        key=lambda i: (parse_instant(histories[i]["created"]), i),
        reverse=True,
    )
    keep = set(ranked[:limit])
    return [history for i, history in enumerate(histories) if i in keep]


def oldest_first(histories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order of GET /issue/{key}/changelog, which Atlassian documents as oldest first."""
    return sorted(histories, key=lambda h: (parse_instant(h["created"]), int(h.get("id") or 0)))


def render_issue(
    issue: dict[str, Any],
    selection: FieldSelection,
    expand: list[str],
    navigable: dict[str, bool],
    changelog_limit: int | None,
) -> dict[str, Any]:
    """The issue as one search result or GET issue returns it."""
    out = {name: issue[name] for name in _ALWAYS if name in issue}
    stored_fields = issue.get("fields", {})
    chosen = {
        field_id: value
        for field_id, value in stored_fields.items()
        if selection.wants(field_id, navigable.get(field_id, True))
    }
    if chosen or selection.everything or selection.navigable:
        out["fields"] = chosen
    for name in expand:
        if name == "changelog" and "changelog" in issue:
            out["changelog"] = embedded_changelog(issue["changelog"], changelog_limit)
        elif name in issue and name not in out and name != "fields":
            out[name] = issue[name]
    return out


def embedded_changelog(changelog: dict[str, Any], limit: int | None) -> dict[str, Any]:
    histories = changelog.get("histories", [])
    kept = most_recent(histories, limit)
    return {
        **changelog,
        "startAt": 0,
        "maxResults": len(kept),
        "total": len(histories),
        "histories": kept,
    }
