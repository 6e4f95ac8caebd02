"""Jira's JSON turned into table rows, once, at sync time.

Everything downstream (frames, metrics, pages) reads normalised values: timestamps in UTC, sprint
ids as "76,79", estimates as numbers, and changelog fields named "status", "sprint" and "estimate"
whatever the site calls them. The live sync and the offline import both come through here, so a
file saved from a council's Jira and a live response can never be read two ways.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from tracker.errors import Invalid

SPRINT_SCHEMA = "com.pyxis.greenhopper.jira:gh-sprint"
EPIC_LINK_SCHEMA = "com.pyxis.greenhopper.jira:gh-epic-link"
#: Jira Software's own estimation field type ("Story point estimate" on Cloud sites)
STORY_POINTS_SCHEMA = "com.pyxis.greenhopper.jira:jsw-story-points"
#: Names of the estimate field when a board does not say which field it estimates with and the
#: site has no field of Jira Software's estimation type, in the order they are preferred.
ESTIMATE_FIELD_NAMES = ("story points", "story point estimate")
#: Issue fields the sync asks Jira for; the site's sprint, epic link and estimate fields are added.
BASE_FIELDS = (
    "summary",
    "issuetype",
    "parent",
    "status",
    "components",
    "labels",
    "assignee",
    "resolution",
    "resolutiondate",
    "created",
    "updated",
    "issuelinks",
)

_OLD_SPRINT_ID = re.compile(r"[\[,]id=(\d+)")

T = TypeVar("T")

#: (jira issue id, history id, item index, at, field, from, to, from string, to string)
EventTuple = tuple[int, int, int, datetime, str, str | None, str | None, str | None, str | None]


class JiraDataError(Invalid):
    """Jira JSON that does not have the shape Jira documents; the message names the record."""


#: Epoch milliseconds below this (3 March 1973) are more likely seconds or a count than a time.
_EPOCH_MS_FLOOR = 10**11


def parse_timestamp(value: Any) -> datetime | None:
    """A Jira timestamp in UTC: ISO 8601 with an offset ("2021-06-18T18:41:29.398+0000", "...Z",
    "...-0800"), or epoch milliseconds (a number, or digits in a string), which Jira's older
    greenhopper resources and some export tools write. Anything else is a ValueError saying so:
    a time guessed wrong would move an issue in or out of a sprint without a word."""
    if value is None or value == "":
        return None
    digits = isinstance(value, str) and value.strip().isdigit()
    if (isinstance(value, int | float) and not isinstance(value, bool)) or digits:
        millis = float(value)
        if millis < _EPOCH_MS_FLOOR:
            raise ValueError(
                f"{value!r} is not a Jira timestamp (epoch milliseconds have 13 digits)"
            )
        return datetime.fromtimestamp(millis / 1000, UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                raise ValueError(f"{value!r} has no UTC offset, so its moment is unknown")
            return moment.astimezone(UTC)
    raise ValueError(f"{value!r} is not a Jira timestamp")


#: Jira's ids are stored in 64-bit integer columns on both databases
_LARGEST_ID = 2**63 - 1


def jira_id(value: Any) -> int:
    """A Jira id: a whole number that fits the database (a file may hold anything)."""
    number = int(value)
    if not 0 <= number <= _LARGEST_ID:
        raise ValueError(f"{value} is not a Jira id (ids are whole numbers below 2^63)")
    return number


def _text(value: Any) -> str | None:
    """An id or a value as text: Jira sends "10001", some exporters 10001 (or 10001.0)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is neither text nor a number")
    return str(int(value)) if float(value).is_integer() else repr(value)


def sprint_ids(value: Any) -> str:
    """The Sprint field of an issue as "12,14": sprint objects, or the old Data Center strings
    (`com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=12,rapidViewId=3,...]`)."""
    ids: list[str] = []
    for item in value or ():
        if isinstance(item, Mapping):
            if item.get("id") is not None:
                ids.append(str(jira_id(item["id"])))
        elif isinstance(item, str) and (found := _OLD_SPRINT_ID.search(item)):
            ids.append(found.group(1))
    return ",".join(ids)


def _optional_int(value: Any) -> int | None:
    """A whole number (a board id), or None; 7.0 and "7" read as 7."""
    text = _text(value)
    if text is None or text == "":
        return None
    if not text.isdigit():
        raise ValueError(f"{value!r} is not a whole number")
    return jira_id(text)


def _loose_text(value: Any) -> str | None:
    """A value of a field the reports do not replay, kept as text whatever its JSON type."""
    return value if value is None or isinstance(value, str) else str(value)


def _first(*values: Any) -> Any:
    """The first value that is set."""
    return next((v for v in values if v is not None), None)


def _id_list(value: Any) -> str | None:
    """A changelog sprint value ("76, 79", or a number) without spaces; None when it names no
    sprint. Each part must be a sprint id."""
    text = _text(value)
    if not text:
        return None
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise ValueError(f"{value!r} is not a list of sprint ids")
    return ",".join(parts) or None


def _number(value: Any) -> float | None:
    """An estimate: a number, or text holding one; None when unset. Anything else is an error,
    not a silent 0: the sprint's totals would be wrong without a word."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None


def _number_text(value: Any) -> str | None:
    """An estimate as text that reads back as the same number ("5.0" -> "5", 2.5 -> "2.5")."""
    number = _number(value)
    if number is None:
        return None
    return str(int(number)) if number.is_integer() else repr(number)


@dataclass(frozen=True)
class SiteFields:
    """What a site's /field list says about the fields the reports need.

    Field ids differ per site (customfield_10016 on one, customfield_10106 on the next), so they
    are found by schema or name, never assumed.
    """

    sprint: str | None
    epic_link: str | None
    story_points: str | None
    names: Mapping[str, str]

    @classmethod
    def from_fields(cls, fields: Iterable[Mapping[str, Any]]) -> "SiteFields":
        found: dict[str, str] = {}
        names: dict[str, str] = {}
        for field in fields:
            field_id = str(field["id"])
            names[field_id] = str(field.get("name") or field_id)
            found.setdefault(str((field.get("schema") or {}).get("custom")), field_id)
        return cls(
            sprint=found.get(SPRINT_SCHEMA),
            epic_link=found.get(EPIC_LINK_SCHEMA),
            story_points=found.get(STORY_POINTS_SCHEMA),
            names=names,
        )

    def default_estimate(self) -> str | None:
        """The site's story-point field, for boards whose configuration names none."""
        if self.story_points:
            return self.story_points
        by_name = {name.lower(): field_id for field_id, name in self.names.items()}
        return next((by_name[n] for n in ESTIMATE_FIELD_NAMES if n in by_name), None)

    def estimate_for(self, configuration: Mapping[str, Any]) -> str | None:
        """The board's estimation field (`estimation.field.fieldId`), else the site's default.
        None for a board whose estimation statistic is not a field (Jira's "Issue Count"): Jira
        counts its issues, and so do its reports here."""
        estimation = configuration.get("estimation") or {}
        if estimation.get("type") not in (None, "field"):
            return None
        field = estimation.get("field") or {}
        return field.get("fieldId") or self.default_estimate()

    def issue_fields(self, estimate_field: str | None) -> list[str]:
        extra = (self.sprint, self.epic_link, estimate_field)
        return [*BASE_FIELDS, *(f for f in extra if f and f not in BASE_FIELDS)]


def board_row(
    board: Mapping[str, Any], configuration: Mapping[str, Any], estimate: str | None
) -> dict[str, Any]:
    """The jira_board columns Jira owns, from GET board and (fresher) GET board configuration."""
    location = board.get("location") or {}
    config_location = configuration.get("location") or {}
    columns = [
        {
            "name": str(column.get("name", "")),
            "statuses": [str(s["id"]) for s in column.get("statuses") or () if "id" in s],
        }
        for column in (configuration.get("columnConfig") or {}).get("columns") or ()
    ]
    project = location.get("projectKey") or (
        config_location.get("key") if config_location.get("type") == "project" else None
    )
    filter_id = (configuration.get("filter") or {}).get("id")
    return {
        "jira_id": jira_id(board["id"]),
        "name": str(configuration.get("name") or board.get("name") or board["id"]),
        "board_type": str(configuration.get("type") or board.get("type") or "scrum"),
        "project_key": project,
        "filter_id": str(filter_id) if filter_id is not None else None,
        "estimate_field_id": estimate,
        "columns": columns,
    }


def _read(where: str, name: str, read: Callable[[Any], T], value: Any) -> T:
    """`read(value)`, or a JiraDataError naming the record, the field and what is wrong."""
    try:
        return read(value)
    except (TypeError, ValueError) as exc:
        raise JiraDataError(f"{where}, field {name}: {exc}") from None


def sprint_row(sprint: Mapping[str, Any]) -> dict[str, Any]:
    """The jira_sprint columns, plus `origin_board` (a Jira board id) for the caller to resolve."""
    where = f"sprint {sprint.get('id', '?')}"
    dates = {
        column: _read(where, name, parse_timestamp, sprint.get(name))
        for column, name in (
            ("start_at", "startDate"),
            ("end_at", "endDate"),
            ("complete_at", "completeDate"),
        )
    }
    return {
        "jira_id": _read(where, "id", jira_id, sprint.get("id")),
        "name": str(sprint.get("name") or sprint["id"]),
        "state": str(sprint.get("state") or "").lower(),
        "goal": sprint.get("goal") or None,
        **dates,
        "origin_board": _read(where, "originBoardId", _optional_int, sprint.get("originBoardId")),
    }


def _same_field(
    field_id: str | None, name: str, known_id: str | None, known_name: str | None
) -> bool:
    """Match by id when both sides have one, else by name ignoring case."""
    if field_id and known_id:
        return field_id == known_id
    return name == known_name


def base_url(self_url: str | None) -> str | None:
    """The site address a REST `self` link starts with ("https://x.atlassian.net")."""
    if not self_url or "/rest/" not in self_url:
        return None
    return self_url.split("/rest/", 1)[0].rstrip("/")


def _link(link: Mapping[str, Any]) -> dict[str, Any]:
    """One `issuelinks` entry: `outwardIssue` set means this issue <outward verb> that one."""
    outward = "outwardIssue" in link
    other = link["outwardIssue" if outward else "inwardIssue"]
    fields = other.get("fields") or {}
    category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
    return {
        "link_id": str(link["id"]),
        "type_name": str(link["type"]["name"]),
        "outward": outward,
        "other_key": str(other["key"]),
        "other_jira_id": jira_id(other["id"]) if other.get("id") else None,
        "other_base_url": base_url(other.get("self")),
        "other_summary": str(fields["summary"])[:500] if fields.get("summary") else None,
        "other_status_category": str(category) if category else None,
    }


class IssueNormaliser:
    """Turns search results of one board into jira_issue rows and changelog event tuples."""

    def __init__(self, fields: SiteFields, estimate_field: str | None) -> None:
        self.sprint_field = fields.sprint
        self.epic_link_field = fields.epic_link
        self.estimate_field = estimate_field
        estimate_name = fields.names.get(estimate_field or "")
        self._estimate_name = estimate_name.lower() if estimate_name else None

    def issue(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The jira_issue columns Jira owns (all but site and removal)."""
        try:
            return self._issue(raw)
        except JiraDataError:
            raise  # already names the record (and is a ValueError, as bad input)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise JiraDataError(
                f"issue {raw.get('key', '?')}: unexpected shape ({exc!r})"
            ) from None

    def _issue(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        fields = raw["fields"]
        where = f"issue {raw.get('key', '?')}"
        issue_type = fields.get("issuetype") or {}
        status = fields.get("status") or {}
        parent = fields.get("parent") or {}
        is_subtask = bool(issue_type.get("subtask"))
        assignee = fields.get("assignee") or {}
        resolution = fields.get("resolution") or {}
        return {
            "jira_id": jira_id(raw["id"]),
            "key": str(raw["key"]),
            "summary": str(fields.get("summary") or ""),
            "issue_type": str(issue_type.get("name") or ""),
            "is_subtask": is_subtask,
            "parent_key": parent.get("key"),
            "epic_key": self._epic_key(fields, parent, is_subtask),
            "changelog_missing": 0,
            "status_id": _read(where, "status", _text, status.get("id")) or "",
            "status_name": str(status.get("name") or ""),
            "status_category": str((status.get("statusCategory") or {}).get("key") or ""),
            "estimate": (
                _read(where, self.estimate_field, _number, fields.get(self.estimate_field))
                if self.estimate_field
                else None
            ),
            "sprint_ids": sprint_ids(fields.get(self.sprint_field)) if self.sprint_field else "",
            "components": [str(c.get("name")) for c in fields.get("components") or ()],
            "labels": [str(label) for label in fields.get("labels") or ()],
            "assignee": assignee.get("displayName"),
            "resolution": resolution.get("name"),
            **{
                column: _read(where, name, parse_timestamp, fields.get(name))
                for column, name in (
                    ("resolved_at", "resolutiondate"),
                    ("created_at", "created"),
                    ("updated_at", "updated"),
                )
            },
        }

    def links(self, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The jira_issue_link columns (all but the issue's row id) of each of the issue's links."""
        try:
            return [_link(link) for link in (raw.get("fields") or {}).get("issuelinks") or ()]
        except JiraDataError:
            raise  # already names the record (and is a ValueError, as bad input)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise JiraDataError(
                f"issue {raw.get('key', '?')}: issue link in an unexpected shape ({exc!r})"
            ) from None

    def _epic_key(
        self, fields: Mapping[str, Any], parent: Mapping[str, Any], is_subtask: bool
    ) -> str | None:
        """Epic Link on classic projects, the agile `epic` field, or a parent that is an epic."""
        if self.epic_link_field and isinstance(fields.get(self.epic_link_field), str):
            return fields[self.epic_link_field]
        epic = fields.get("epic")
        if isinstance(epic, Mapping) and epic.get("key"):
            return str(epic["key"])
        parent_type = (parent.get("fields") or {}).get("issuetype") or {}
        if not is_subtask and (
            parent_type.get("hierarchyLevel") == 1 or parent_type.get("name") == "Epic"
        ):
            return parent.get("key")
        return None

    def events(
        self, issue_id: int, histories: Iterable[Mapping[str, Any]], key: str = "?"
    ) -> list[EventTuple]:
        """Every changelog item of an issue (`key` names it in errors), its field named and its
        values normalised."""
        try:
            return [
                event
                for history in histories
                for event in self._history_events(issue_id, key, history)
            ]
        except JiraDataError:
            raise  # already names the record (and is a ValueError, as bad input)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise JiraDataError(
                f"issue {key}: changelog in an unexpected shape ({exc!r})"
            ) from None

    def _history_events(
        self, issue_id: int, key: str, history: Mapping[str, Any]
    ) -> list[EventTuple]:
        history_id = jira_id(history["id"])
        where = f"issue {key}, changelog history {history_id}"
        at = _read(where, "created", parse_timestamp, history.get("created"))
        if at is None:
            raise JiraDataError(f"{where}, field created: missing")
        events: list[EventTuple] = []
        for index, item in enumerate(history.get("items") or ()):
            name = str(item.get("field") or item.get("fieldId") or "")
            field, from_value, to_value = _read(where, name, self._item, item)
            events.append(
                (
                    issue_id,
                    history_id,
                    index,
                    at,
                    field,
                    from_value,
                    to_value,
                    _loose_text(item.get("fromString")),
                    _loose_text(item.get("toString")),
                )
            )
        return events

    def _item(self, item: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
        """(field, from, to) with the replayed fields renamed; `fieldId` may be missing."""
        field_id = item.get("fieldId")
        name = str(item.get("field") or field_id or "").lower()
        if field_id == "status" or (not field_id and name == "status"):
            return "status", _text(item.get("from")), _text(item.get("to"))
        if _same_field(field_id, name, self.sprint_field, "sprint"):
            return "sprint", _id_list(item.get("from")), _id_list(item.get("to"))
        if self.estimate_field and _same_field(
            field_id, name, self.estimate_field, self._estimate_name
        ):
            # A number field's value is in fromString/toString; some exporters leave those
            # null and put it in from/to instead.
            return (
                "estimate",
                _number_text(_first(item.get("fromString"), item.get("from"))),
                _number_text(_first(item.get("toString"), item.get("to"))),
            )
        return name, _loose_text(item.get("from")), _loose_text(item.get("to"))
