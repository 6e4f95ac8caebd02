"""The served site in memory: boards, sprints and one copy of each issue, changed only under a lock.

A dataset repeats an issue on every board that shows it; the store keeps one record per key and a
board-to-keys membership, so an update made by a test is seen through every board, as in Jira.
"""

import copy
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from tests.jira_server.jql import Clause, JqlError, Query
from tests.jira_server.shape import jira_timestamp, parse_instant, sprint_field_id, sprint_refs
from tracker.jira_sync.dataset import SiteData


def _key_order(key: str) -> tuple[str, int]:
    project, _, number = key.rpartition("-")
    return (project, int(number) if number.isdigit() else 0)


class SiteStore:
    """Thread-safe state of one Jira site; every public method takes the lock."""

    def __init__(self, data: SiteData, forbidden_boards: Iterable[int] = ()) -> None:
        data = copy.deepcopy(data)
        self.lock = threading.RLock()
        self.server_info = data["serverInfo"]
        self.fields = data["field"]
        self.myself = data["myself"]
        self.forbidden_boards = {int(b) for b in forbidden_boards}
        self.sprint_field = sprint_field_id(self.fields)
        self.navigable = {str(f["id"]): bool(f.get("navigable", True)) for f in self.fields}
        self.boards: dict[int, dict[str, Any]] = {}
        self.configurations: dict[int, dict[str, Any]] = {}
        self.sprints: dict[int, list[dict[str, Any]]] = {}
        self.members: dict[int, list[str]] = {}
        self.issues: dict[str, dict[str, Any]] = {}
        self.rank: dict[str, int] = {}
        self.projects: set[str] = set()
        for board_id, board in data["boards"].items():
            board_id = int(board_id)
            self.boards[board_id] = board["board"]
            self.configurations[board_id] = board["configuration"]
            self.sprints[board_id] = board["sprints"]
            self.members[board_id] = []
            location = board["board"].get("location", {})
            self.projects.update(
                str(v).upper() for v in (location.get("projectKey"), location.get("projectId")) if v
            )
            for issue in board["issues"]:
                self._remember(issue)
                if issue["key"] not in self.members[board_id]:
                    self.members[board_id].append(issue["key"])

    def _remember(self, issue: dict[str, Any]) -> None:
        self.issues.setdefault(issue["key"], issue)
        self.rank.setdefault(issue["key"], len(self.rank))
        project = issue.get("fields", {}).get("project") or {}
        self.projects.update(str(v).upper() for v in (project.get("key"), project.get("id")) if v)

    # Reading

    def issue(self, key_or_id: str) -> dict[str, Any] | None:
        with self.lock:
            if key_or_id.upper() in self.issues:
                return self.issues[key_or_id.upper()]
            return next((i for i in self.issues.values() if str(i.get("id")) == key_or_id), None)

    def all_sprints(self) -> list[dict[str, Any]]:
        with self.lock:
            return [sprint for sprints in self.sprints.values() for sprint in sprints]

    def search(self, query: Query, board_id: int | None = None, validate: bool = True) -> list[str]:
        """Keys matching the query (within a board when given), in the query's order."""
        with self.lock:
            keys = list(self.members[board_id]) if board_id is not None else list(self.issues)
            for clause in query.clauses:
                test = self._clause_test(clause, validate)
                keys = [key for key in keys if test(self.issues[key])]
            keys.sort(key=lambda k: int(self.issues[k].get("id") or 0))
            keys.sort(key=_key_order, reverse=True)  # Jira's order when none is given
            for sort in reversed(query.order):
                keys.sort(key=self._sort_key(sort.field), reverse=sort.descending)
            return keys

    def _sort_key(self, field: str) -> Callable[[str], Any]:
        if field == "key":
            return _key_order
        if field == "rank":
            return lambda key: self.rank[key]
        return lambda key: parse_instant(self.issues[key]["fields"][field])

    def _clause_test(self, clause: Clause, validate: bool) -> Callable[[dict[str, Any]], bool]:
        values = {v.upper() for v in clause.values}
        if clause.field == "filter":
            keys = self._filter_keys(clause)
            return lambda issue: issue["key"] in keys
        if clause.field == "project":
            self._require(values - self.projects, clause, validate)
            return lambda issue: bool(_project_ids(issue) & values)
        if clause.field == "key":
            known = {k for v in values if (i := self.issue(v)) for k in (v, i["key"])}
            missing = sorted(values - known)
            if validate and missing:
                raise JqlError(f"An issue with key '{missing[0]}' does not exist for field 'key'.")
            return lambda issue: issue["key"] in values or str(issue.get("id")) in values
        if clause.field == "sprint":
            sprints = {str(s["id"]) for s in self.all_sprints()}
            sprints |= {str(s.get("name", "")).upper() for s in self.all_sprints()}
            self._require(values - sprints, clause, validate)
            return lambda issue: any(
                str(sprint_id) in values or name.upper() in values
                for sprint_id, name in sprint_refs(issue["fields"].get(self.sprint_field or ""))
            )
        return self._date_test(clause)

    def _filter_keys(self, clause: Clause) -> set[str]:
        keys: set[str] = set()
        for value in clause.values:
            boards = [
                board_id
                for board_id, config in self.configurations.items()
                if str(config.get("filter", {}).get("id")) == value
                and board_id not in self.forbidden_boards
            ]
            if not boards:
                raise JqlError(f"The value '{value}' does not exist for the field 'filter'.")
            keys.update(key for board_id in boards for key in self.members[board_id])
        return keys

    @staticmethod
    def _require(missing: set[str], clause: Clause, validate: bool) -> None:
        if validate and missing:
            raise JqlError(
                f"The value '{sorted(missing)[0]}' does not exist for the field '{clause.field}'."
            )

    @staticmethod
    def _date_test(clause: Clause) -> Callable[[dict[str, Any]], bool]:
        bound = clause.instant()
        compare: dict[str, Callable[[datetime], bool]] = {
            "=": lambda moment: moment == bound,
            ">=": lambda moment: moment >= bound,
            ">": lambda moment: moment > bound,
            "<=": lambda moment: moment <= bound,
            "<": lambda moment: moment < bound,
        }
        check = compare[clause.operator]
        return lambda issue: check(parse_instant(issue["fields"][clause.field]))

    # Changing, for sync tests

    def update_issue(
        self,
        key: str,
        fields: dict[str, Any] | None = None,
        items: list[dict[str, Any]] | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            issue = self.issues[key]
            stamp = jira_timestamp(at or datetime.now(UTC))
            issue["fields"].update(copy.deepcopy(fields or {}))
            issue["fields"]["updated"] = stamp
            if items:
                self._append_history(issue, items, stamp)
            return copy.deepcopy(issue)

    def _append_history(
        self, issue: dict[str, Any], items: list[dict[str, Any]], stamp: str
    ) -> None:
        changelog = issue.setdefault("changelog", {"startAt": 0, "histories": []})
        histories = changelog["histories"]
        history = {
            "id": str(self._next_history_id()),
            "author": {k: v for k, v in self.myself.items() if k not in {"groups", "expand"}},
            "created": stamp,
            "items": copy.deepcopy(items),
        }
        newest_first = len(histories) > 1 and parse_instant(histories[0]["created"]) > (
            parse_instant(histories[-1]["created"])
        )
        histories.insert(0 if newest_first else len(histories), history)
        changelog.update(maxResults=len(histories), total=len(histories))

    def _next_history_id(self) -> int:
        ids = [
            int(h["id"])
            for issue in self.issues.values()
            for h in issue.get("changelog", {}).get("histories", [])
            if str(h.get("id", "")).isdigit()
        ]
        return max(ids, default=10000) + 1

    def add_issue(self, issue: dict[str, Any], boards: Iterable[int]) -> None:
        with self.lock:
            issue = copy.deepcopy(issue)
            issue.setdefault(
                "changelog", {"startAt": 0, "maxResults": 0, "total": 0, "histories": []}
            )
            self.issues.pop(issue["key"], None)
            self._remember(issue)
            for board_id in boards:
                self.add_to_board(issue["key"], board_id)

    def delete_issue(self, key: str) -> None:
        with self.lock:
            del self.issues[key]
            for keys in self.members.values():
                if key in keys:
                    keys.remove(key)

    def add_to_board(self, key: str, board_id: int) -> None:
        with self.lock:
            if key not in self.members[board_id]:
                self.members[board_id].append(key)

    def remove_from_board(self, key: str, board_id: int) -> None:
        with self.lock:
            self.members[board_id].remove(key)

    def update_sprint(self, sprint_id: int, changes: dict[str, Any]) -> None:
        with self.lock:
            matches = [s for s in self.all_sprints() if int(s["id"]) == sprint_id]
            if not matches:
                raise KeyError(sprint_id)
            for sprint in matches:
                sprint.update(copy.deepcopy(changes))


def _project_ids(issue: dict[str, Any]) -> set[str]:
    project = issue.get("fields", {}).get("project") or {}
    return {str(v).upper() for v in (project.get("key"), project.get("id")) if v}
