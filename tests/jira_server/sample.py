"""A tiny hand-built site, in Cloud and Data Center flavours, for the server's and small sync tests.

Two boards (REV, HWK), five sprints, ten issues, one issue (REV-6) on both boards and one (REV-1)
with 150 histories whose oldest hold its sprint and estimate, so a sync that trusts a truncated
embedded changelog gets REV-1 visibly wrong. The flavours differ where real sites differ: field ids
and names, user identity (accountId vs name/key), `fieldId` on changelog items, sprint values
(objects vs the old Data Center strings) and history order (Cloud newest first). Real offsets such
as +0800 come from the recorded samples in samples/, not from here.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.jira_server.shape import jira_timestamp
from tracker.jira_sync.dataset import BoardData, SiteData

URL = {"cloud": "https://councils-test.atlassian.net", "datacenter": "https://jira.councils.test"}
ESTIMATE = {
    "cloud": ("customfield_10016", "Story point estimate"),
    "datacenter": ("customfield_10106", "Story Points"),
}
SPRINT = {"cloud": "customfield_10020", "datacenter": "customfield_10104"}
EPIC_LINK = "customfield_10100"
STATUSES = {
    "To Do": ("10000", 2, "new", "To Do"),
    "In Progress": ("3", 4, "indeterminate", "In Progress"),
    "Done": ("10001", 3, "done", "Done"),
}
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# id, board, name, state, start offset (days)
SPRINTS = [
    (1, 1, "REV Sprint 1", "closed", 0),
    (2, 1, "REV Sprint 2", "active", 14),
    (3, 1, "REV Sprint 3", "future", 28),
    (4, 2, "HWK Sprint 1", "closed", 0),
    (5, 2, "HWK Sprint 2", "active", 14),
]
# key, type, summary, status, points, sprint ids, boards, assignee
ISSUES = [
    ("REV-1", "Story", "Council tax rebate letters", "Done", 5, [1], [1], 0),
    ("REV-2", "Story", "Direct debit date change form", "Done", 3, [1], [1], 1),
    ("REV-3", "Bug", "Discount not applied to single occupiers", "In Progress", 2, [1, 2], [1], 0),
    ("REV-4", "Story", "Business rates relief calculator", "To Do", 8, [2], [1], 1),
    ("REV-5", "Epic", "Revenues self-service", "In Progress", None, [], [1], 0),
    ("REV-6", "Task", "Shared address lookup", "In Progress", 3, [2], [1, 2], 1),
    ("HWK-1", "Story", "Missed bin report", "Done", 3, [4], [2], 0),
    ("HWK-2", "Story", "Bulky waste booking", "Done", 5, [4, 5], [2], 1),
    ("HWK-3", "Bug", "Collection calendar shows wrong week", "To Do", 1, [5], [2], 0),
    ("HWK-4", "Story", "Garden waste renewals", "To Do", None, [], [2], 1),
]
#: link id, type (name, outward, inward), the issue doing the outward verb, the other issue: REV-6
#: blocks HWK-3 on the other board; OPS-9 is on no board of the site and blocks REV-4; a Relates
#: link means nothing for dependencies
LINK_TYPES = {
    "Blocks": ("10000", "blocks", "is blocked by"),
    "Relates": ("10003", "relates to", "relates to"),
}
LINKS = [
    ("20001", "Blocks", "REV-6", "HWK-3"),
    ("20002", "Blocks", "OPS-9", "REV-4"),
    ("20003", "Relates", "HWK-4", "REV-2"),
]
#: issues outside every board, known only through links: key, id, summary, status
UNBOARDED = {"OPS-9": ("10999", "Open the shared address API to partners", "In Progress")}
PROJECTS = {"REV": ("10000", "Revenues"), "HWK": ("10001", "Household Waste")}
USERS = [
    ("Alex Morgan", "amorgan", "5b10ac8d82e05b22cc7d4ef5"),
    ("Priya Shah", "pshah", "5b10a2844c20165700ede21g"),
]


def _user(kind: str, index: int) -> dict[str, Any]:
    name, login, account = USERS[index]
    base = URL[kind]
    if kind == "cloud":
        return {
            "self": f"{base}/rest/api/2/user?accountId={account}",
            "accountId": account,
            "avatarUrls": {"48x48": f"https://avatar.example/{account}/48"},
            "displayName": name,
            "active": True,
            "timeZone": "Europe/London",
            "accountType": "atlassian",
        }
    return {
        "self": f"{base}/rest/api/2/user?username={login}",
        "name": login,
        "key": f"JIRAUSER1010{index}",
        "emailAddress": f"{login}@council.example",
        "avatarUrls": {"48x48": f"{base}/secure/useravatar?ownerId={login}"},
        "displayName": name,
        "active": True,
        "timeZone": "Europe/London",
    }


def _sprint(kind: str, sprint_id: int) -> dict[str, Any]:
    _, board, name, state, offset = next(s for s in SPRINTS if s[0] == sprint_id)
    start, end = START + timedelta(days=offset), START + timedelta(days=offset + 14)
    sprint = {
        "id": sprint_id,
        "self": f"{URL[kind]}/rest/agile/1.0/sprint/{sprint_id}",
        "state": state,
        "name": name,
        "originBoardId": board,
        "goal": "",
    }
    if state != "future":
        sprint |= {
            "startDate": jira_timestamp(start).replace("+0000", "Z"),
            "endDate": jira_timestamp(end).replace("+0000", "Z"),
        }
    if state == "closed":
        sprint["completeDate"] = jira_timestamp(end - timedelta(hours=2)).replace("+0000", "Z")
    return sprint


def _sprint_value(kind: str, sprint_id: int) -> dict[str, Any] | str:
    sprint = _sprint(kind, sprint_id)
    if kind == "cloud":
        value = {k: v for k, v in sprint.items() if k not in {"self", "originBoardId"}}
        return value | {"boardId": sprint["originBoardId"]}
    return (
        f"com.atlassian.greenhopper.service.sprint.Sprint@{sprint_id:x}1f2e[id={sprint_id},"
        f"rapidViewId={sprint['originBoardId']},state={sprint['state'].upper()},name={sprint['name']},"
        f"startDate={sprint.get('startDate', '<null>')},endDate={sprint.get('endDate', '<null>')},"
        f"completeDate={sprint.get('completeDate', '<null>')},sequence={sprint_id},goal=]"
    )


def _item(
    kind: str, field: str, field_id: str, old: tuple[Any, Any], new: tuple[Any, Any]
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "field": field,
        "fieldtype": "jira" if field_id in {"status", "labels"} else "custom",
    }
    if kind == "cloud":
        item["fieldId"] = field_id
    return item | {"from": old[0], "fromString": old[1], "to": new[0], "toString": new[1]}


def _sprint_start(sprint_id: int) -> datetime:
    return START + timedelta(days=next(s[4] for s in SPRINTS if s[0] == sprint_id))


def _histories(
    kind: str, spec: tuple[Any, ...], created: datetime, number: int
) -> list[dict[str, Any]]:
    """A plausible timeline: estimated, planned into a sprint the day before it starts, started,
    carried over when the sprint closed, done in its last sprint; REV-1 then gets 146 label edits
    so the histories that matter are the oldest."""
    key, _, _, status, points, sprints, _, assignee = spec
    estimate_id, estimate_name = ESTIMATE[kind]
    offset = timedelta(hours=number)
    changes: list[tuple[datetime, dict[str, Any]]] = []
    if points is not None:
        item = _item(kind, estimate_name, estimate_id, (None, None), (None, str(points)))
        changes.append((created + timedelta(hours=1), item))
    for n, sprint_id in enumerate(sprints):
        names = [_sprint(kind, s)["name"] for s in sprints[: n + 1]]
        old = (", ".join(map(str, sprints[:n])), ", ".join(names[:-1]))
        new = (", ".join(map(str, sprints[: n + 1])), ", ".join(names))
        # Planned the day before the first sprint; carried over as the previous one completed.
        when = _sprint_start(sprint_id) - (timedelta(hours=2) if n else timedelta(days=1) - offset)
        changes.append((when, _item(kind, "Sprint", SPRINT[kind], old, new)))
    first_day = _sprint_start(sprints[0]) if sprints else START
    last_day = _sprint_start(sprints[-1]) if sprints else START
    order = list(STATUSES)
    if order.index(status) >= 1:
        item = _item(kind, "status", "status", ("10000", "To Do"), ("3", "In Progress"))
        changes.append((first_day + timedelta(days=1) + offset, item))
    if status == "Done":
        item = _item(kind, "status", "status", ("3", "In Progress"), ("10001", "Done"))
        changes.append((last_day + timedelta(days=5) + offset, item))
    if key == "REV-1":
        changes += [
            (
                START + timedelta(days=15, hours=i),
                _item(kind, "labels", "labels", (None, f"draft-{i}"), (None, f"draft-{i + 1}")),
            )
            for i in range(146)
        ]
    changes.sort(key=lambda change: change[0])
    histories = [
        {
            "id": str(10000 + number * 200 + i),
            "author": _user(kind, assignee),
            "created": jira_timestamp(when),
            "items": [item],
        }
        for i, (when, item) in enumerate(changes)
    ]
    return histories[::-1] if kind == "cloud" else histories


def _linked(kind: str, key: str) -> dict[str, Any]:
    """The other issue of a link, as Jira embeds it: id, key, self and a few fields."""
    if key in UNBOARDED:
        issue_id, summary, status = UNBOARDED[key]
    else:
        number = next(n for n, spec in enumerate(ISSUES, start=1) if spec[0] == key)
        issue_id, summary, status = (
            str(10100 + number),
            ISSUES[number - 1][2],
            ISSUES[number - 1][3],
        )
    status_id, category_id, category_key, category_name = STATUSES[status]
    return {
        "id": issue_id,
        "key": key,
        "self": f"{URL[kind]}/rest/api/2/issue/{issue_id}",
        "fields": {
            "summary": summary,
            "status": {
                "name": status,
                "id": status_id,
                "statusCategory": {"id": category_id, "key": category_key, "name": category_name},
            },
        },
    }


def _issue_links(kind: str, key: str) -> list[dict[str, Any]]:
    links = []
    for link_id, type_name, source, target in LINKS:
        if key not in (source, target):
            continue
        type_id, outward, inward = LINK_TYPES[type_name]
        link_type = {
            "id": type_id,
            "name": type_name,
            "inward": inward,
            "outward": outward,
            "self": f"{URL[kind]}/rest/api/2/issueLinkType/{type_id}",
        }
        other = ("outwardIssue", target) if key == source else ("inwardIssue", source)
        links.append(
            {
                "id": link_id,
                "self": f"{URL[kind]}/rest/api/2/issueLink/{link_id}",
                "type": link_type,
                other[0]: _linked(kind, other[1]),
            }
        )
    return links


def _issue(kind: str, spec: tuple[Any, ...], number: int) -> dict[str, Any]:
    key, issue_type, summary, status, points, sprints, _, assignee = spec
    project_key = key.split("-")[0]
    project_id, project_name = PROJECTS[project_key]
    base, issue_id = URL[kind], str(10100 + number)
    created = START - timedelta(days=3) + timedelta(hours=number)
    histories = _histories(kind, spec, created, number)
    status_id, category_id, category_key, category_name = STATUSES[status]
    last = max([created, *(datetime.fromisoformat(h["created"]) for h in histories)])
    fields: dict[str, Any] = {
        "summary": summary,
        "issuetype": {
            "self": f"{base}/rest/api/2/issuetype/1",
            "id": "1",
            "name": issue_type,
            "subtask": False,
        },
        "project": {
            "self": f"{base}/rest/api/2/project/{project_id}",
            "id": project_id,
            "key": project_key,
            "name": project_name,
            "projectTypeKey": "software",
        },
        "status": {
            "self": f"{base}/rest/api/2/status/{status_id}",
            "name": status,
            "id": status_id,
            "statusCategory": {"id": category_id, "key": category_key, "name": category_name},
        },
        "assignee": _user(kind, assignee),
        "created": jira_timestamp(created),
        "updated": jira_timestamp(last),
        "resolutiondate": jira_timestamp(last) if status == "Done" else None,
        "labels": ["draft-146"] if key == "REV-1" else [],
        "comment": {"comments": [], "maxResults": 0, "total": 0, "startAt": 0},
        "issuelinks": _issue_links(kind, key),
        ESTIMATE[kind][0]: float(points) if points is not None else None,
        SPRINT[kind]: [_sprint_value(kind, s) for s in sprints] or None,
    }
    if kind == "datacenter":
        fields[EPIC_LINK] = "REV-5" if key in {"REV-2", "REV-3"} else None
    return {
        "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": issue_id,
        "self": f"{base}/rest/api/2/issue/{issue_id}",
        "key": key,
        "fields": fields,
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories,
        },
    }


def _field(
    field_id: str, name: str, schema: dict[str, Any], navigable: bool = True
) -> dict[str, Any]:
    custom = field_id.startswith("customfield_")
    return {
        "id": field_id,
        "key": field_id,
        "name": name,
        "custom": custom,
        "orderable": True,
        "navigable": navigable,
        "searchable": True,
        "clauseNames": [f"cf[{field_id.split('_')[1]}]", name] if custom else [field_id],
        "schema": schema,
    }


def _fields(kind: str) -> list[dict[str, Any]]:
    estimate_id, estimate_name = ESTIMATE[kind]
    sprint_id = SPRINT[kind]
    fields = [
        _field("summary", "Summary", {"type": "string", "system": "summary"}),
        _field("issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"}),
        _field("project", "Project", {"type": "project", "system": "project"}),
        _field("status", "Status", {"type": "status", "system": "status"}),
        _field("assignee", "Assignee", {"type": "user", "system": "assignee"}),
        _field("created", "Created", {"type": "datetime", "system": "created"}),
        _field("updated", "Updated", {"type": "datetime", "system": "updated"}),
        _field("resolutiondate", "Resolved", {"type": "datetime", "system": "resolutiondate"}),
        _field("labels", "Labels", {"type": "array", "items": "string", "system": "labels"}),
        _field(
            "issuelinks",
            "Linked Issues",
            {"type": "array", "items": "issuelinks", "system": "issuelinks"},
        ),
        _field(
            "comment", "Comment", {"type": "comments-page", "system": "comment"}, navigable=False
        ),
        _field(
            estimate_id,
            estimate_name,
            {
                "type": "number",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
                "customId": int(estimate_id.split("_")[1]),
            },
        ),
        _field(
            sprint_id,
            "Sprint",
            {
                "type": "array",
                "items": "json",
                "custom": "com.pyxis.greenhopper.jira:gh-sprint",
                "customId": int(sprint_id.split("_")[1]),
            },
        ),
    ]
    if kind == "datacenter":
        fields.append(
            _field(
                EPIC_LINK,
                "Epic Link",
                {
                    "type": "any",
                    "custom": "com.pyxis.greenhopper.jira:gh-epic-link",
                    "customId": 10100,
                },
            )
        )
    return fields


def _board(kind: str, board_id: int, project_key: str, issues: list[dict[str, Any]]) -> BoardData:
    base = URL[kind]
    project_id, project_name = PROJECTS[project_key]
    estimate_id, estimate_name = ESTIMATE[kind]
    location = {
        "projectId": int(project_id),
        "displayName": f"{project_name} ({project_key})",
        "projectName": project_name,
        "projectKey": project_key,
        "projectTypeKey": "software",
        "name": f"{project_name} ({project_key})",
    }
    columns = [
        {
            "name": name,
            "statuses": [
                {"id": STATUSES[name][0], "self": f"{base}/rest/api/2/status/{STATUSES[name][0]}"}
            ],
        }
        for name in STATUSES
    ]
    return BoardData(
        board={
            "id": board_id,
            "self": f"{base}/rest/agile/1.0/board/{board_id}",
            "name": f"{project_key} board",
            "type": "scrum",
            "location": location,
        },
        configuration={
            "id": board_id,
            "name": f"{project_key} board",
            "type": "scrum",
            "self": f"{base}/rest/agile/1.0/board/{board_id}/configuration",
            "location": {
                "type": "project",
                "key": project_key,
                "id": project_id,
                "self": f"{base}/rest/api/2/project/{project_id}",
                "name": project_name,
            },
            "filter": {
                "id": str(10000 + board_id),
                "self": f"{base}/rest/api/2/filter/{10000 + board_id}",
            },
            "columnConfig": {"columns": columns, "constraintType": "issueCount"},
            "estimation": {
                "type": "field",
                "field": {"fieldId": estimate_id, "displayName": estimate_name},
            },
            "ranking": {"rankCustomFieldId": 10019},
        },
        sprints=[_sprint(kind, s[0]) for s in SPRINTS if s[1] == board_id],
        issues=issues,
    )


def build_site(kind: str = "cloud") -> SiteData:
    """The sample site as `kind` ("cloud" or "datacenter") would serve it."""
    issues = [(spec, _issue(kind, spec, n)) for n, spec in enumerate(ISSUES, start=1)]
    boards = {
        board_id: _board(
            kind, board_id, project, [issue for spec, issue in issues if board_id in spec[6]]
        )
        for board_id, project in ((1, "REV"), (2, "HWK"))
    }
    version = ([1001, 0, 0], "1001.0.0-SNAPSHOT") if kind == "cloud" else ([9, 12, 7], "9.12.7")
    me = _user(kind, 0)
    if kind == "cloud":
        me["emailAddress"] = "amorgan@council.example"
    return SiteData(
        site={"name": f"Sample councils ({kind})", "url": URL[kind], "kind": kind},
        serverInfo={
            "baseUrl": URL[kind],
            "version": version[1],
            "versionNumbers": version[0],
            "deploymentType": "Cloud" if kind == "cloud" else "DataCenter",
            "buildNumber": 100289 if kind == "cloud" else 9120007,
            "serverTitle": "Jira",
        },
        field=_fields(kind),
        myself=me | {"locale": "en_GB", "groups": {"size": 1, "items": []}},
        boards=boards,
    )
