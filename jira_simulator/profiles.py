"""What differs between Jira Cloud and Data Center: field ids, status and type ids, id ranges.

Shapes follow the recorded responses in tests/jira/samples and docs/jira-data.md.
"""

from dataclasses import dataclass

KINDS = ("cloud", "datacenter")

CATEGORIES = {
    2: {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    4: {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    3: {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
DONE = frozenset({"done", "closed"})
CATEGORY_OF = {"todo": 2, "progress": 4, "review": 4, "done": 3, "closed": 3}
PRIORITIES = {
    "highest": ("1", "Highest"),
    "high": ("2", "High"),
    "medium": ("3", "Medium"),
    "low": ("4", "Low"),
    "lowest": ("5", "Lowest"),
}


@dataclass(frozen=True)
class Profile:
    kind: str
    estimate_field: str
    estimate_name: str
    sprint_field: str
    rank_field: str
    flagged_field: str
    epic_link_field: str | None
    epic_name_field: str | None
    statuses: dict[str, tuple[str, str, int]]  # role -> (id, name, status category id)
    types: dict[str, tuple[str, str, int]]  # role -> (id, name, hierarchy level)
    resolutions: dict[str, tuple[str, str]]
    flag_option: str
    issue_id_base: int
    history_id_base: int
    sprint_id_base: int
    project_id_base: int
    filter_id_base: int


_CLOUD = Profile(
    kind="cloud",
    estimate_field="customfield_10016",
    estimate_name="Story point estimate",
    sprint_field="customfield_10020",
    rank_field="customfield_10019",
    flagged_field="customfield_10021",
    epic_link_field=None,
    epic_name_field=None,
    statuses={
        "todo": ("10000", "To Do", 2),
        "progress": ("10001", "In Progress", 4),
        "review": ("10002", "In Review", 4),
        "done": ("10003", "Done", 3),
        "closed": ("10004", "Closed", 3),
    },
    types={
        "epic": ("10000", "Epic", 1),
        "story": ("10001", "Story", 0),
        "task": ("10002", "Task", 0),
        "subtask": ("10003", "Sub-task", -1),
        "bug": ("10004", "Bug", 0),
    },
    resolutions={"done": ("10000", "Done"), "wontdo": ("10001", "Won't Do")},
    flag_option="10019",
    issue_id_base=10000,
    history_id_base=10100,
    sprint_id_base=70,
    project_id_base=10000,
    filter_id_base=10001,
)
_DATACENTER = Profile(
    kind="datacenter",
    estimate_field="customfield_10106",
    estimate_name="Story Points",
    sprint_field="customfield_10104",
    rank_field="customfield_10105",
    flagged_field="customfield_10107",
    epic_link_field="customfield_10100",
    epic_name_field="customfield_10102",
    statuses={
        "todo": ("10100", "To Do", 2),
        "progress": ("3", "In Progress", 4),
        "review": ("10101", "In Review", 4),
        "done": ("10102", "Done", 3),
        "closed": ("6", "Closed", 3),
    },
    types={
        "epic": ("10000", "Epic", 1),
        "story": ("10001", "Story", 0),
        "task": ("3", "Task", 0),
        "subtask": ("5", "Sub-task", -1),
        "bug": ("1", "Bug", 0),
    },
    resolutions={"done": ("10000", "Done"), "wontdo": ("2", "Won't Fix")},
    flag_option="10200",
    issue_id_base=20400,
    history_id_base=104000,
    sprint_id_base=231,
    project_id_base=10200,
    filter_id_base=12100,
)
PROFILES = {"cloud": _CLOUD, "datacenter": _DATACENTER}
