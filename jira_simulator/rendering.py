"""The simulated state written as Jira's REST bodies: the shapes of Cloud or Data Center.

Cloud items carry `fieldId`, Data Center items do not; Cloud sends sprint objects and
newest-first histories, Data Center the `...sprint.Sprint@...[id=...]` strings and oldest-first
histories (docs/jira-data.md). Objects repeated in many issues are built once and shared.
"""

from typing import Any
from urllib.parse import quote

from jira_simulator.clock import NOW, agile_time, jira_time, utc_time
from jira_simulator.profiles import CATEGORIES, PRIORITIES
from jira_simulator.simulation import Board, Issue, Item, Simulation, Sprint, User
from tracker.jira_sync.dataset import BoardData, SiteData


def _points_text(value: float | None) -> str | None:
    """Estimates in changelog strings as Jira writes them: "3", "0.5"."""
    if value is None:
        return None
    return str(int(value)) if value.is_integer() else str(value)


class Renderer:
    def __init__(self, sim: Simulation, name: str, url: str) -> None:
        self.sim = sim
        self.profile = sim.profile
        self.cloud = sim.profile.kind == "cloud"
        self.name = name
        self.url = url
        self.sprints = {s.id: s for board in sim.boards for s in board.sprints}
        self.ids: dict[int, str] = {}
        self.keys: dict[int, str] = {}
        everything = sorted(
            (issue for board in sim.boards for issue in board.issues),
            key=lambda i: (i.created or 0, i.seq),
        )
        counters: dict[int, int] = {}
        projects = {board.spec.id: board.spec.project_key for board in sim.boards}
        for number, issue in enumerate(everything):
            self.ids[issue.seq] = str(self.profile.issue_id_base + number)
            counters[issue.board] = counters.get(issue.board, 0) + 1
            self.keys[issue.seq] = f"{projects[issue.board]}-{counters[issue.board]}"
        moments = sorted((h[0], h[1]) for issue in everything for h in issue.histories)
        self.history_ids = {
            seq: str(self.profile.history_id_base + n) for n, (_, seq) in enumerate(moments)
        }
        self.scrambled = self._scrambled_issue()
        self._users: dict[User, dict[str, Any]] = {}
        self._items: dict[Item, dict[str, Any]] = {}
        self._sprint_values: dict[int, Any] = {}
        self._build_shared()

    def _scrambled_issue(self) -> int:
        """Jira does not promise history order; one issue per site shows it."""
        board = self.sim.boards[0]
        candidates = [i for i in board.issues if i.kind != "subtask" and len(i.histories) >= 4]
        return max(candidates, key=lambda i: (len(i.histories), -i.seq)).seq if candidates else -1

    # -- small objects ------------------------------------------------------------------------

    def user(self, user: User | None) -> dict[str, Any] | None:
        if user is None:
            return None
        if user not in self._users:
            if self.cloud:
                self._users[user] = {
                    "self": f"{self.url}/rest/api/2/user?accountId={quote(user.account_id)}",
                    "accountId": user.account_id,
                    "displayName": user.display,
                    "active": True,
                    "timeZone": "Europe/London",
                    "accountType": "atlassian",
                }
            else:
                self._users[user] = {
                    "self": f"{self.url}/rest/api/2/user?username={user.name}",
                    "name": user.name,
                    "key": user.key,
                    "displayName": user.display,
                    "active": True,
                    "timeZone": "Europe/London",
                }
        return self._users[user]

    def _build_shared(self) -> None:
        """Objects repeated in every issue, built once (JSON output does not mind sharing)."""
        p = self.profile
        self.statuses = {
            role: {"id": status_id, "name": name, "statusCategory": CATEGORIES[category]}
            for role, (status_id, name, category) in p.statuses.items()
        }
        self.types: dict[str, dict[str, Any]] = {}
        for role, (type_id, name, level) in p.types.items():
            value: dict[str, Any] = {"id": type_id, "name": name, "subtask": role == "subtask"}
            if self.cloud:
                value["hierarchyLevel"] = level
            self.types[role] = value
        self.priorities = {
            role: {"id": priority_id, "name": name}
            for role, (priority_id, name) in PRIORITIES.items()
        }
        self.resolutions = {
            role: {"id": resolution_id, "name": name}
            for role, (resolution_id, name) in p.resolutions.items()
        }

    def sprint(self, sprint: Sprint) -> dict[str, Any]:
        """A sprint as GET /rest/agile/1.0/board/{id}/sprint lists it."""
        when = utc_time if self.cloud else agile_time
        value: dict[str, Any] = {
            "id": sprint.id,
            "self": f"{self.url}/rest/agile/1.0/sprint/{sprint.id}",
            "state": sprint.state,
            "name": sprint.name,
        }
        if sprint.start is not None and sprint.end is not None:
            value["startDate"] = when(sprint.start)
            value["endDate"] = when(sprint.end)
            if not self.cloud:
                value["activatedDate"] = when(sprint.start)
        if sprint.complete is not None:
            value["completeDate"] = when(sprint.complete)
        value["originBoardId"] = sprint.board_id
        value["goal"] = sprint.goal
        if not self.cloud:
            value["synced"] = False
            value["autoStartStop"] = False
        return value

    def sprint_value(self, sprint_id: int) -> Any:
        """A sprint inside an issue's Sprint field: an object on Cloud, a toString() on DC."""
        if sprint_id not in self._sprint_values:
            sprint = self.sprints[sprint_id]
            if self.cloud:
                value: Any = {
                    "id": sprint.id,
                    "name": sprint.name,
                    "state": sprint.state,
                    "boardId": sprint.board_id,
                    "goal": sprint.goal,
                }
                for key, moment in (
                    ("startDate", sprint.start),
                    ("endDate", sprint.end),
                    ("completeDate", sprint.complete),
                ):
                    if moment is not None:
                        value[key] = utc_time(moment)
            else:

                def text(moment: int | None) -> str:
                    return "<null>" if moment is None else agile_time(moment)

                value = (
                    f"com.atlassian.greenhopper.service.sprint.Sprint@"
                    f"{(sprint.id * 2654435761) % (1 << 28):x}[id={sprint.id},"
                    f"rapidViewId={sprint.board_id},state={sprint.state.upper()},"
                    f"name={sprint.name},startDate={text(sprint.start)},"
                    f"endDate={text(sprint.end)},completeDate={text(sprint.complete)},"
                    f"activatedDate={text(sprint.start)},sequence={sprint.id},"
                    f"goal={sprint.goal},synced=false,autoStartStop=false,"
                    f"incompleteIssuesDestinationId=<null>]"
                )
            self._sprint_values[sprint_id] = value
        return self._sprint_values[sprint_id]

    # -- changelog ----------------------------------------------------------------------------

    def _change(
        self,
        field: str,
        fieldtype: str,
        field_id: str,
        old: tuple[str | None, str | None],
        new: tuple[str | None, str | None],
    ) -> dict[str, Any]:
        item: dict[str, Any] = {"field": field, "fieldtype": fieldtype}
        if self.cloud:
            item["fieldId"] = field_id
        item["from"], item["fromString"] = old
        item["to"], item["toString"] = new
        return item

    def item(self, raw: Item) -> dict[str, Any]:
        cached = self._items.get(raw)
        if cached is not None:
            return cached
        p = self.profile
        kind = raw[0]
        if kind == "status":
            old, new = p.statuses[raw[1]], p.statuses[raw[2]]
            value = self._change("status", "jira", "status", old[:2], new[:2])
        elif kind == "resolution":
            none = (None, None)
            old_r = p.resolutions[raw[1]] if raw[1] else none
            new_r = p.resolutions[raw[2]] if raw[2] else none
            value = self._change("resolution", "jira", "resolution", old_r, new_r)
        elif kind == "sprint":
            value = self._change(
                "Sprint",
                "custom",
                p.sprint_field,
                self._sprint_text(raw[1]),
                self._sprint_text(raw[2]),
            )
        elif kind == "estimate":
            value = self._change(
                p.estimate_name,
                "custom",
                p.estimate_field,
                (None, _points_text(raw[1])),
                (None, _points_text(raw[2])),
            )
        elif kind == "assignee":
            value = self._change(
                "assignee", "jira", "assignee", self._person(raw[1]), self._person(raw[2])
            )
            if self.cloud:
                value["tmpFromAccountId"] = raw[1].account_id if raw[1] else None
                value["tmpToAccountId"] = raw[2].account_id if raw[2] else None
        elif kind == "priority":
            value = self._change(
                "priority", "jira", "priority", PRIORITIES[raw[1]], PRIORITIES[raw[2]]
            )
        elif kind == "rank":
            moved = "Ranked higher" if raw[1] else "Ranked lower"
            value = self._change("Rank", "custom", p.rank_field, ("", ""), ("", moved))
        else:
            flag = (f"[{p.flag_option}]", "Impediment")
            old_f, new_f = ((None, None), flag) if raw[1] else (flag, ("", ""))
            value = self._change("Flagged", "custom", p.flagged_field, old_f, new_f)
        self._items[raw] = value
        return value

    def _sprint_text(self, ids: tuple[int, ...]) -> tuple[str, str]:
        """Sprint ids and names as changelog strings: "76, 79" with the space, as Jira writes."""
        return (
            ", ".join(str(i) for i in ids),
            ", ".join(self.sprints[i].name for i in ids),
        )

    def _person(self, user: User | None) -> tuple[str | None, str | None]:
        if user is None:
            return None, None
        return (user.account_id if self.cloud else user.key), user.display

    def changelog(self, issue: Issue) -> dict[str, Any]:
        # (moment, seq, ...) tuples: seq is unique, so sorting never compares further.
        ordered = sorted(issue.histories, reverse=self.cloud)
        if issue.seq == self.scrambled:
            ordered = ordered[1:3] + ordered[:1] + ordered[3:]
        histories = [
            {
                "id": self.history_ids[seq],
                "author": self.user(author),
                "created": jira_time(moment),
                "items": [self.item(raw) for raw in items],
            }
            for moment, seq, author, items in ordered
        ]
        count = len(histories)
        return {"startAt": 0, "maxResults": count, "total": count, "histories": histories}

    # -- issues -------------------------------------------------------------------------------

    def reference(self, issue: Issue) -> dict[str, Any]:
        """The short form of an issue Jira nests as `parent` and in `subtasks`."""
        issue_id = self.ids[issue.seq]
        return {
            "id": issue_id,
            "key": self.keys[issue.seq],
            "self": f"{self.url}/rest/api/2/issue/{issue_id}",
            "fields": {
                "summary": issue.summary,
                "status": self.statuses[issue.status],
                "priority": self.priorities[issue.priority],
                "issuetype": self.types[issue.kind],
            },
        }

    def issue(self, issue: Issue, board: Board) -> dict[str, Any]:
        p = self.profile
        spec = board.spec
        issue_id = self.ids[issue.seq]
        created = issue.created or 0
        fields: dict[str, Any] = {
            "summary": issue.summary,
            "issuetype": self.types[issue.kind],
            "project": {
                "id": str(p.project_id_base + board.position),
                "key": spec.project_key,
                "name": spec.project_name,
                "projectTypeKey": "software",
            },
            "status": self.statuses[issue.status],
            "resolution": self.resolutions[issue.resolution] if issue.resolution else None,
            "resolutiondate": jira_time(issue.done_at) if issue.done_at else None,
            "priority": self.priorities[issue.priority],
            "assignee": self.user(issue.assignee),
            "reporter": self.user(issue.reporter),
            "created": jira_time(created),
            "updated": jira_time(max(created, issue.last)),
            "labels": sorted(issue.labels),
            "components": (
                [{"id": self.component_id(board, issue.component), "name": issue.component}]
                if issue.component
                else []
            ),
            "subtasks": [self.reference(s) for s in issue.subtasks if s.created is not None],
            p.sprint_field: [self.sprint_value(s) for s in issue.sprints] or None,
            p.estimate_field: issue.estimate,
            p.flagged_field: (
                [{"value": "Impediment", "id": p.flag_option}] if issue.flagged else None
            ),
        }
        parent = issue.parent or (issue.epic if self.cloud else None)
        if parent is not None:
            fields["parent"] = self.reference(parent)
        if self.cloud:
            fields["statuscategorychangedate"] = jira_time(issue.category_changed or created)
        else:
            assert p.epic_link_field and p.epic_name_field
            if issue.kind != "subtask":
                fields[p.epic_link_field] = self.keys[issue.epic.seq] if issue.epic else None
            if issue.kind == "epic":
                fields[p.epic_name_field] = issue.summary
        return {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": issue_id,
            "self": f"{self.url}/rest/api/2/issue/{issue_id}",
            "key": self.keys[issue.seq],
            "fields": fields,
            "changelog": self.changelog(issue),
        }

    def component_id(self, board: Board, name: str) -> str:
        return str(10000 + 100 * board.position + board.spec.components.index(name))

    # -- site ---------------------------------------------------------------------------------

    def board(self, board: Board) -> BoardData:
        p, spec = self.profile, board.spec
        project_id = str(p.project_id_base + board.position)
        filter_id = str(p.filter_id_base + board.position)
        display = f"{spec.project_name} ({spec.project_key})"

        def column(name: str, *roles: str) -> dict[str, Any]:
            statuses = [
                {"id": p.statuses[r][0], "self": f"{self.url}/rest/api/2/status/{p.statuses[r][0]}"}
                for r in roles
            ]
            return {"name": name, "statuses": statuses}

        configuration = {
            "id": spec.id,
            "name": spec.name,
            "type": "scrum",
            "self": f"{self.url}/rest/agile/1.0/board/{spec.id}/configuration",
            "location": {
                "type": "project",
                "key": spec.project_key,
                "id": project_id,
                "self": f"{self.url}/rest/api/2/project/{project_id}",
                "name": spec.project_name,
            },
            "filter": {"id": filter_id, "self": f"{self.url}/rest/api/2/filter/{filter_id}"},
            "columnConfig": {
                "columns": [
                    column("To Do", "todo"),
                    column("In Progress", "progress"),
                    column("In Review", "review"),
                    column("Done", "done", "closed"),
                ],
                "constraintType": "issueCount",
            },
            "estimation": {
                "type": "field",
                "field": {"fieldId": p.estimate_field, "displayName": p.estimate_name},
            },
            "ranking": {"rankCustomFieldId": int(p.rank_field.split("_")[1])},
        }
        issues = sorted(
            (i for i in board.issues if i.created is not None),
            key=lambda i: int(self.ids[i.seq]),
        )
        return BoardData(
            board={
                "id": spec.id,
                "self": f"{self.url}/rest/agile/1.0/board/{spec.id}",
                "name": spec.name,
                "type": "scrum",
                "location": {
                    "projectId": int(project_id),
                    "displayName": display,
                    "projectName": spec.project_name,
                    "projectKey": spec.project_key,
                    "projectTypeKey": "software",
                    "name": display,
                },
            },
            configuration=configuration,
            sprints=[self.sprint(s) for s in board.sprints],
            issues=[self.issue(i, board) for i in issues],
        )

    def fields(self) -> list[dict[str, Any]]:
        p = self.profile

        def system(field_id: str, name: str, schema_type: str, **extra: Any) -> dict[str, Any]:
            return _field(field_id, name, {"type": schema_type, "system": field_id, **extra})

        def custom(field_id: str, name: str, plugin: str, schema_type: str, **extra: Any) -> Any:
            schema = {"type": schema_type, **extra, "custom": plugin}
            schema["customId"] = int(field_id.split("_")[1])
            return _field(field_id, name, schema)

        greenhopper = "com.pyxis.greenhopper.jira:"
        builtin = "com.atlassian.jira.plugin.system.customfieldtypes:"
        fields = [
            system("summary", "Summary", "string"),
            system("issuetype", "Issue Type", "issuetype"),
            system("project", "Project", "project"),
            system("status", "Status", "status"),
            system("resolution", "Resolution", "resolution"),
            system("resolutiondate", "Resolved", "datetime"),
            system("priority", "Priority", "priority"),
            system("assignee", "Assignee", "user"),
            system("reporter", "Reporter", "user"),
            system("created", "Created", "datetime"),
            system("updated", "Updated", "datetime"),
            system("labels", "Labels", "array", items="string"),
            system("components", "Component/s", "array", items="component"),
            system("subtasks", "Sub-tasks", "array", items="issuelinks"),
            custom(p.rank_field, "Rank", greenhopper + "gh-lexo-rank", "any"),
            custom(
                p.sprint_field,
                "Sprint",
                greenhopper + "gh-sprint",
                "array",
                items="json" if self.cloud else "string",
            ),
            custom(
                p.flagged_field, "Flagged", builtin + "multicheckboxes", "array", items="option"
            ),
        ]
        if self.cloud:
            fields += [
                system("parent", "Parent", "issuelink"),
                system("statuscategorychangedate", "Status Category Changed", "datetime"),
                custom(
                    p.estimate_field, p.estimate_name, greenhopper + "jsw-story-points", "number"
                ),
                custom("customfield_10028", "Story Points", builtin + "float", "number"),
            ]
        else:
            assert p.epic_link_field and p.epic_name_field
            fields += [
                custom(p.epic_link_field, "Epic Link", greenhopper + "gh-epic-link", "any"),
                custom(p.epic_name_field, "Epic Name", greenhopper + "gh-epic-label", "string"),
                custom(p.estimate_field, p.estimate_name, builtin + "float", "number"),
            ]
        return fields

    def site(self) -> SiteData:
        cloud = self.cloud
        service = self.sim.user("Tracker Sync")
        myself = dict(self.user(service) or {})
        myself["locale"] = "en_GB"
        server_info: dict[str, Any] = {"baseUrl": self.url}
        if cloud:
            server_info |= {
                "displayUrl": self.url,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100291,
                "buildDate": "2026-11-26T00:00:00.000+0000",
                "serverTime": jira_time(NOW),
                "scmInfo": "8f3c2a7d1e9b4c6a5f0e2d1c3b4a59687f6e5d4c",
                "serverTitle": "Jira",
            }
        else:
            server_info |= {
                "version": "9.12.15",
                "versionNumbers": [9, 12, 15],
                "deploymentType": "DataCenter",
                "buildNumber": 9120015,
                "buildDate": "2024-10-16T00:00:00.000+0100",
                "databaseBuildNumber": 9120015,
                "serverTime": jira_time(NOW),
                "scmInfo": "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
                "serverTitle": "Westbridge Jira" if self.name == "westbridge" else "Jira",
            }
        return SiteData(
            site={"name": self.name, "url": self.url, "kind": self.profile.kind},
            serverInfo=server_info,
            field=self.fields(),
            myself=myself,
            boards={board.spec.id: self.board(board) for board in self.sim.boards},
        )


def _field(field_id: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    custom = field_id.startswith("customfield_")
    return {
        "id": field_id,
        "name": name,
        "custom": custom,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [f"cf[{field_id.split('_')[1]}]", name] if custom else [field_id],
        "schema": schema,
    }
