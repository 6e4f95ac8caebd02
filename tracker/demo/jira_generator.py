"""The demo programme's two Jira sites, and the same simulation scaled up for benchmarks.

Jira's sprint report is the reference the tracker is judged against, and its hard cases
(added, removed, re-estimated, reopened, carried over, completed outside the sprint) all come from
how issues move over time. Hand-written fixtures drift out of step with their own changelogs, so
each board is simulated instead: sprint by sprint and working day by working day, with one seeded
`random.Random`, every state change emitted as a changelog history at the moment it happens, and
the current `fields` written from the final state. The data is therefore consistent by
construction, byte-identical for a seed, and a benchmark can ask for tens of thousands of issues.

Shapes follow the recorded responses in tests/jira/samples and docs/jira-data.md: Cloud
items carry `fieldId`, Data Center items do not; Cloud sends sprint objects and newest-first
histories, Data Center the `...sprint.Sprint@...[id=...]` strings and oldest-first histories.

`python -m tracker.demo.jira_generator data/demo/jira` regenerates the committed demo files.
"""

import gc
import hashlib
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from tracker.jira_sync.dataset import BoardData, SiteData, write_dataset

NORTHMOOR_URL = "https://northmoor-shared.atlassian.net"
WESTBRIDGE_URL = "https://jira.westbridge.gov.uk"
KINDS = ("cloud", "datacenter")

# ---------------------------------------------------------------------------------------------
# Time. Everything is integer milliseconds since the epoch (UTC): fast to compare and to format.

_SECOND = 1000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_EPOCH = date(1970, 1, 1)
_WORK_START = 9 * 60  # minutes after local midnight
_WORK_END = 17 * 60 + 30


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


ACTIVE_SPRINT_START = date(2026, 11, 23)
"""Every generated board's active sprint runs from this Monday at 09:00 to two weeks later."""


@cache
def _day_text(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).isoformat()


@cache
def _summer_time(year: int) -> tuple[int, int]:
    """British Summer Time: from 01:00 UTC on the last Sunday of March to that of October."""

    def last_sunday(month: int) -> int:
        end = date(year, month, 31)
        return _day_number(end - timedelta(days=(end.weekday() + 1) % 7))

    return last_sunday(3) * _DAY + _HOUR, last_sunday(10) * _DAY + _HOUR


def _uk_offset(ms: int) -> int:
    return _hour_offset(ms // _HOUR)


@cache
def _hour_offset(hour: int) -> int:
    """The UK offset for an hour since the epoch; clocks change on the hour, so this is exact."""
    ms = hour * _HOUR
    start, end = _summer_time(int(_day_text(ms // _DAY)[:4]))
    return _HOUR if start <= ms < end else 0


@cache
def _minute_text(minute: int) -> str:
    day, rest = divmod(minute, 24 * 60)
    return f"{_day_text(day)}T{rest // 60:02d}:{rest % 60:02d}"


def _clock(local_ms: int) -> str:
    minute, rest = divmod(local_ms, _MINUTE)
    return f"{_minute_text(minute)}:{rest // _SECOND:02d}.{rest % _SECOND:03d}"


def jira_time(ms: int) -> str:
    """UK wall-clock time the way Jira writes issue and changelog dates: `...T09:15:00.000+0100`."""
    offset = _uk_offset(ms)
    return _clock(ms + offset) + ("+0100" if offset else "+0000")


def _agile_time(ms: int) -> str:
    """Data Center's agile API writes offsets with a colon: `...T09:00:00.000+01:00`."""
    offset = _uk_offset(ms)
    return _clock(ms + offset) + ("+01:00" if offset else "+00:00")


def _utc_time(ms: int) -> str:
    """Cloud's agile API and sprint field objects are in UTC: `...T08:00:00.000Z`."""
    return _clock(ms) + "Z"


def _at(day: int, minute: int) -> int:
    """UTC ms of a UK wall-clock minute on a day (working hours only, never near a clock change)."""
    naive = day * _DAY + minute * _MINUTE
    return naive - _uk_offset(naive)


def _local_day(ms: int) -> int:
    return (ms + _uk_offset(ms)) // _DAY


def _is_weekday(day: int) -> bool:
    return (day + 3) % 7 < 5  # 1970-01-01 was a Thursday


_ACTIVE_DAY = _day_number(ACTIVE_SPRINT_START)
NOW = _at(_ACTIVE_DAY + 4, 15 * 60)
"""The moment the generated sites were 'exported': Friday of the active sprint's first week,
before the day the demo was made (29 November 2026), so nothing in it lies in the future."""
_SIMULATION_END = NOW - 30 * _MINUTE

# ---------------------------------------------------------------------------------------------
# What differs between Jira Cloud and Data Center.

_CATEGORIES = {
    2: {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    4: {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    3: {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
_DONE = frozenset({"done", "closed"})
_CATEGORY_OF = {"todo": 2, "progress": 4, "review": 4, "done": 3, "closed": 3}
_PRIORITIES = {
    "highest": ("1", "Highest"),
    "high": ("2", "High"),
    "medium": ("3", "Medium"),
    "low": ("4", "Low"),
    "lowest": ("5", "Lowest"),
}


@dataclass(frozen=True)
class _Profile:
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


_CLOUD = _Profile(
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
_DATACENTER = _Profile(
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
_PROFILES = {"cloud": _CLOUD, "datacenter": _DATACENTER}

# ---------------------------------------------------------------------------------------------
# Boards as the demo describes them.


class WorkItem(NamedTuple):
    """A piece of work a board's team might raise: `kind` is "story", "task" or "bug"."""

    kind: str
    summary: str
    component: str
    labels: tuple[str, ...] = ()
    epic: int | None = None  # index into BoardSpec.epics


@dataclass(frozen=True)
class BoardSpec:
    """One scrum board and its project. `team[0]` owns the product, `team[1]` runs the sprints."""

    id: int
    name: str
    project_key: str
    project_name: str
    team: tuple[str, ...]
    components: tuple[str, ...]
    epics: tuple[str, ...]
    work: tuple[WorkItem, ...]
    goals: tuple[str, ...]
    first_sprint_number: int = 1


_SUBTASK_SUMMARIES = (
    "Acceptance criteria and test scenarios",
    "Content design review",
    "Accessibility check (WCAG 2.2 AA)",
    "Update the privacy notice",
    "Configure the test environment",
    "Deploy to production",
    "Update the service runbook",
    "Demo to the service manager",
    "Security review",
    "Update contact centre scripts",
    "User research session",
    "Data migration script",
    "Set up monitoring alerts",
    "Performance test",
)
_POINTS = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0)
_POINT_WEIGHTS = (10, 22, 30, 22, 12, 4)

# ---------------------------------------------------------------------------------------------
# Simulation state.


class _User(NamedTuple):
    display: str
    account_id: str
    name: str
    key: str


class _Sprint:
    __slots__ = ("board_id", "complete", "end", "goal", "id", "name", "start", "state")

    def __init__(self, sprint_id: int, name: str, goal: str, board_id: int, state: str) -> None:
        self.id = sprint_id
        self.name = name
        self.goal = goal
        self.board_id = board_id
        self.state = state
        self.start: int | None = None
        self.end: int | None = None
        self.complete: int | None = None


Item = tuple[Any, ...]
"""A changelog item before rendering: (kind, from, to); rank and flag items hold one flag."""


class _Issue:
    __slots__ = (
        "assignee",
        "board",
        "category_changed",
        "component",
        "created",
        "deferred",
        "done_at",
        "epic",
        "estimate",
        "flagged",
        "histories",
        "kind",
        "labels",
        "last",
        "parent",
        "pinned",
        "priority",
        "rank",
        "reporter",
        "resolution",
        "seq",
        "sprints",
        "status",
        "subtasks",
        "summary",
    )

    def __init__(self, seq: int, board: int, kind: str, summary: str) -> None:
        self.seq = seq
        self.board = board
        self.kind = kind
        self.summary = summary
        self.component: str | None = None
        self.labels: tuple[str, ...] = ()
        self.epic: _Issue | None = None
        self.parent: _Issue | None = None
        self.subtasks: list[_Issue] = []
        self.deferred: _Issue | None = None
        self.created: int | None = None
        self.reporter: _User | None = None
        self.assignee: _User | None = None
        self.status = "todo"
        self.resolution: str | None = None
        self.done_at: int | None = None
        self.category_changed: int | None = None
        self.estimate: float | None = None
        self.sprints: list[int] = []
        self.priority = "medium"
        self.flagged = False
        self.rank = 0.0
        self.pinned = False  # finished outside any sprint, waiting to be pulled into one
        self.last = 0
        self.histories: list[tuple[int, int, _User, tuple[Item, ...]]] = []

    def family(self) -> list["_Issue"]:
        """The issue and its existing sub-tasks, which Jira keeps in the same sprint."""
        return [self, *(s for s in self.subtasks if s.created is not None)]


class _Event(NamedTuple):
    day: int
    slot: int
    order: int
    kind: str
    issue: _Issue | None


class _Board:
    """One board's simulation: its issues, sprints and the running sprint's members."""

    def __init__(self, spec: BoardSpec, position: int) -> None:
        self.spec = spec
        self.position = position
        self.issues: list[_Issue] = []
        self.ranked: list[_Issue] = []
        self.urgent: list[_Issue] = []  # bugs and tasks, by creation: raised straight into a sprint
        self.rank_index: dict[int, int] = {}
        self.cursor = 0
        self.epics: list[_Issue] = []
        self.sprints: list[_Sprint] = []
        self.members: dict[int, _Issue] = {}
        self.events: list[_Event] = []
        self.running: _Sprint | None = None
        self.per_sprint = 3


class _Simulation:
    def __init__(
        self,
        profile: _Profile,
        specs: Sequence[BoardSpec],
        issues_per_board: int,
        closed_sprints: int,
        histories_per_issue: float,
        seed: int,
        site_name: str,
    ) -> None:
        self.profile = profile
        self.rng = random.Random(seed)
        self.seq = 0
        self.history_seq = 0
        self.closed_sprints = closed_sprints
        self.histories_per_issue = histories_per_issue
        self.users: dict[str, _User] = {}
        self.site_name = site_name
        self.open_sprints: set[int] = set()  # not completed yet, at the simulated moment
        self.boards = [_Board(spec, i) for i, spec in enumerate(specs)]
        self.board_by_id = {board.spec.id: board for board in self.boards}
        for board in self.boards:
            self._schedule(board, len(specs))
            self._create_issues(board, issues_per_board)

    # -- helpers ------------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def user(self, display: str) -> _User:
        """A Jira account per person, with ids derived from the name so they are stable."""
        if display not in self.users:
            digest = hashlib.sha1(f"{self.site_name}/{display}".encode()).hexdigest()
            first, _, surname = display.partition(" ")
            login = (first[0] + surname.split(" ")[-1]).lower().replace("'", "")
            self.users[display] = _User(
                display=display,
                account_id=(
                    f"712020:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-"
                    f"{digest[20:32]}"
                ),
                name=login,
                key=f"JIRAUSER{10100 + len(self.users)}",
            )
        return self.users[display]

    def _team(self, board: _Board) -> list[_User]:
        return [self.user(name) for name in board.spec.team]

    def _developer(self, board: _Board) -> _User:
        return self.user(self.rng.choice(board.spec.team[2:] or board.spec.team))

    def _count(self, mean: float) -> int:
        whole = int(mean)
        return whole + (self.rng.random() < mean - whole)

    def _points(self) -> float:
        return self.rng.choices(_POINTS, _POINT_WEIGHTS)[0]

    def _between(self, lo: int, hi: int) -> int:
        return lo + int(self.rng.random() * max(1, hi - lo))

    def _working_time(self, lo: int, hi: int) -> int:
        """A moment in UK working hours in [lo, hi), or a plain moment when none fits."""
        random_ = self.rng.random
        moment = lo + int(random_() * max(1, hi - lo))
        day = _local_day(moment)
        while not _is_weekday(day):
            day += 1
        minute = _WORK_START + int(random_() * (_WORK_END - _WORK_START))
        snapped = _at(day, minute) + int(random_() * _MINUTE)
        return snapped if lo <= snapped < hi else moment

    def _record(self, issue: _Issue, ms: int, author: _User, items: tuple[Item, ...]) -> None:
        self.history_seq += 1
        issue.histories.append((ms, self.history_seq, author, items))
        issue.last = max(issue.last, ms)

    # -- setting up a board -------------------------------------------------------------------

    def _schedule(self, board: _Board, board_count: int) -> None:
        """Two-week sprints starting Mondays 09:00, closed near the planned end, now and then a
        day late (the next sprint then starts on the Tuesday, straight after the close)."""
        rng, spec, closed = self.rng, board.spec, self.closed_sprints
        first_monday = _ACTIVE_DAY - 14 * closed
        late_start: int | None = None
        for index in range(closed + 2):
            state = "closed" if index < closed else "active" if index == closed else "future"
            sprint = _Sprint(
                sprint_id=self.profile.sprint_id_base + index * board_count + board.position,
                name=f"{spec.project_key} Sprint {spec.first_sprint_number + index}",
                goal=spec.goals[index % len(spec.goals)],
                board_id=spec.id,
                state=state,
            )
            monday = first_monday + 14 * index
            if state != "future":
                sprint.start = late_start or _at(monday, _WORK_START)
                sprint.end = _at(monday + 14, _WORK_START)
            late_start = None
            if state == "closed":
                roll = rng.random()
                if index < closed - 1 and roll < 0.2:
                    sprint.complete = _at(monday + 15, rng.randint(9 * 60 + 20, 11 * 60 + 30))
                    late_start = sprint.complete + rng.randint(4, 15) * _MINUTE
                elif roll < 0.6:
                    sprint.complete = _at(monday + 11, rng.randint(15 * 60, 17 * 60))
                else:
                    sprint.complete = _at(monday + 14, rng.randint(8 * 60 + 5, 8 * 60 + 50))
                sprint.complete += rng.randrange(_MINUTE)
                if late_start:
                    late_start += rng.randrange(_MINUTE)
            board.sprints.append(sprint)
            self.open_sprints.add(sprint.id)  # until the simulation completes it

    def _create_issues(self, board: _Board, count: int) -> None:
        rng, spec = self.rng, board.spec
        team = self._team(board)
        first_start = board.sprints[0].start or 0
        epic_count = max(len(spec.epics), count // 25)
        subtask_count = round(count * 0.15)
        standard_count = max(1, count - epic_count - subtask_count)
        for index in range(epic_count):
            phase, name = divmod(index, len(spec.epics))
            epic = _Issue(self._next_seq(), spec.id, "epic", _phased(spec.epics[name], phase))
            epic.created = _at(_local_day(first_start) - 70 + index // 8, 10 * 60 + index % 8 * 30)
            epic.reporter = team[0]
            epic.assignee = team[0]
            board.epics.append(epic)
            board.issues.append(epic)

        early = first_start - 42 * _DAY
        for index in range(standard_count):
            phase, which = divmod(index, len(spec.work))
            work = spec.work[which]
            issue = _Issue(self._next_seq(), spec.id, work.kind, _phased(work.summary, phase))
            issue.component = work.component
            issue.labels = work.labels
            if work.epic is not None:
                issue.epic = board.epics[(work.epic + phase * len(spec.epics)) % epic_count]
            if rng.random() < 0.55:
                issue.created = self._working_time(early, first_start - _DAY)
            else:
                issue.created = self._working_time(first_start, _SIMULATION_END - 2 * _HOUR)
            issue.reporter = team[0] if rng.random() < 0.5 else rng.choice(team)
            if rng.random() < 0.35:
                issue.assignee = self._developer(board)
            if work.kind == "bug":
                issue.priority = rng.choices(["highest", "high", "medium"], [5, 25, 70])[0]
            else:
                issue.priority = rng.choices(["high", "medium", "low"], [10, 80, 10])[0]
            chance = {"story": 0.5, "task": 0.4, "bug": 0.3}[work.kind]
            if rng.random() < chance:
                issue.estimate = self._points()
            urgency = {"highest": 25, "high": 12}.get(issue.priority, 0)
            issue.rank = issue.created / _DAY + rng.gauss(0, 10) - urgency
            board.issues.append(issue)

        stories = [i for i in board.issues if i.kind == "story"] or board.issues[epic_count:]
        parents = rng.sample(stories, min(len(stories), max(1, subtask_count // 2)))
        made = 0
        while made < subtask_count:
            parent = parents[made % len(parents)]
            summary = _SUBTASK_SUMMARIES[(made * 7 + parent.seq) % len(_SUBTASK_SUMMARIES)]
            subtask = _Issue(self._next_seq(), spec.id, "subtask", summary)
            subtask.parent = parent
            subtask.reporter = parent.reporter
            subtask.priority = parent.priority
            if rng.random() < 0.15:
                subtask.estimate = rng.choice((1.0, 2.0))
            parent.subtasks.append(subtask)
            board.issues.append(subtask)
            made += 1
        board.ranked = sorted(
            (i for i in board.issues if i.kind in ("story", "task", "bug")),
            key=lambda i: (i.rank, i.seq),
        )
        board.rank_index = {issue.seq: index for index, issue in enumerate(board.ranked)}
        board.urgent = sorted(
            (i for i in board.ranked if i.kind != "story"), key=lambda i: (i.created or 0, i.seq)
        )
        standard_done_per_sprint = standard_count * 0.8 / (self.closed_sprints + 1)
        board.per_sprint = max(3, round(standard_done_per_sprint))

    # -- state changes ------------------------------------------------------------------------

    def _family_last(self, issue: _Issue) -> int:
        return max(member.last for member in issue.family())

    def _transition(
        self, issue: _Issue, ms: int, author: _User, to: str, resolution: str = "done"
    ) -> None:
        items: list[Item] = []
        was = issue.status
        if to in _DONE and was not in _DONE:
            items.append(("resolution", None, resolution))
            issue.resolution = resolution
            issue.done_at = ms
        elif to not in _DONE and was in _DONE:
            items.append(("resolution", issue.resolution, None))
            issue.resolution = None
            issue.done_at = None
            self._reconsider(issue)
        if was == "todo" and to != "todo" and issue.assignee is None and to not in _DONE:
            items.append(("assignee", None, author))
            issue.assignee = author
        items.append(("status", was, to))
        issue.status = to
        if _CATEGORY_OF[was] != _CATEGORY_OF[to]:
            issue.category_changed = ms
        self._record(issue, ms, author, tuple(items))
        epic = issue.epic
        if epic is not None and to == "progress" and epic.status == "todo":
            self._transition(epic, max(ms, epic.last + _SECOND), author, "progress")

    def _move(
        self, issue: _Issue, ms: int, author: _User, sprints: list[int], board: _Board
    ) -> None:
        """Change the Sprint field of an issue and, as Jira does, of its sub-tasks at once."""
        running = board.running
        for member in issue.family():
            item = ("sprint", tuple(member.sprints), tuple(sprints))
            member.sprints = list(sprints)
            self._record(member, ms, author, (item,))
            self._reconsider(member)
            if running is not None:
                if running.id in sprints:
                    board.members[member.seq] = member
                else:
                    board.members.pop(member.seq, None)

    def _estimate(self, issue: _Issue, ms: int, author: _User, value: float | None) -> None:
        self._record(issue, ms, author, (("estimate", issue.estimate, value),))
        issue.estimate = value

    def _create_subtasks(self, parent: _Issue, before: int, defer: bool) -> None:
        """Break a story down just before it first enters a sprint; maybe leave one for later."""
        pending = [s for s in parent.subtasks if s.created is None]
        if defer and len(pending) > 1:
            parent.deferred = pending.pop()
        for subtask in pending:
            earliest = (parent.created or 0) + 10 * _MINUTE
            subtask.created = max(earliest, before - self.rng.randint(5, 120) * _MINUTE)
            subtask.created = min(subtask.created, before - _SECOND)
            subtask.sprints = list(parent.sprints)
            subtask.last = subtask.created

    def _backlog(self, board: _Board, moment: int, limit: int) -> list[_Issue]:
        """The first `limit` issues of the ranked backlog that are available at `moment`.

        Finished and planned work piles up at the top of the ranking; a cursor skips it, and
        `_reconsider` moves it back when an issue returns to the backlog, so large boards are not
        rescanned for every pick.
        """
        ranked = board.ranked
        while board.cursor < len(ranked) and self._committed(ranked[board.cursor]):
            board.cursor += 1
        found: list[_Issue] = []
        for issue in ranked[board.cursor :]:
            if len(found) >= limit:
                break
            if self._available(issue, moment):
                found.append(issue)
        return found

    def _committed(self, issue: _Issue) -> bool:
        return issue.status in _DONE or bool(
            issue.sprints and issue.sprints[-1] in self.open_sprints
        )

    def _reconsider(self, issue: _Issue) -> None:
        board = self.board_by_id[issue.board]
        board.cursor = min(board.cursor, board.rank_index.get(issue.seq, board.cursor))

    def _available(self, issue: _Issue, moment: int) -> bool:
        """In the backlog at `moment`: created, not done, in no open sprint, nothing pending."""
        return (
            issue.created is not None
            and issue.created < moment - 30 * _MINUTE
            and not issue.pinned
            and not self._committed(issue)
            and self._family_last(issue) < moment - _MINUTE
        )

    # -- the simulation -----------------------------------------------------------------------

    def run(self) -> None:
        for board in self.boards:
            sprints = board.sprints
            for index, sprint in enumerate(sprints):
                if sprint.state == "future":
                    break
                previous = sprints[index - 1] if index else None
                self._run_sprint(board, sprint, previous, sprints[index + 1])
            self._finish(board)
        self._add_noise()

    def _run_sprint(
        self, board: _Board, sprint: _Sprint, previous: _Sprint | None, following: _Sprint
    ) -> None:
        assert sprint.start is not None
        start = sprint.start
        close = sprint.complete if sprint.complete is not None else _SIMULATION_END
        board.running = sprint
        board.members = {
            i.seq: i for i in board.issues if i.created is not None and sprint.id in i.sprints
        }
        self._plan(board, sprint, previous)
        days = self._working_days(start, close)
        committed = sum(1 for i in board.members.values() if i.kind != "subtask")
        board.events = self._scenarios(board, sprint, len(days), committed)

        for day_index, (day_lo, day_hi) in enumerate(days):
            span = (day_hi - day_lo) // 3
            for slot in range(3):
                lo = day_lo + slot * span
                hi = day_hi if slot == 2 else lo + span
                events = board.events
                while events and (events[0].day, events[0].slot) <= (day_index, slot):
                    self._scenario(board, sprint, events.pop(0), lo, hi)
                self._progress(board, (day_index + 0.5) / max(1, len(days)), lo, hi)

        if sprint.complete is not None:
            self._close(board, sprint, following)
        board.running = None

    def _working_days(self, start: int, close: int) -> list[tuple[int, int]]:
        days = []
        for day in range(_local_day(start), _local_day(close) + 1):
            if not _is_weekday(day):
                continue
            lo = max(start, _at(day, _WORK_START))
            hi = min(close, _at(day, _WORK_END), _SIMULATION_END)
            if hi - lo >= 30 * _MINUTE:
                days.append((lo, hi))
        return days

    def _plan(self, board: _Board, sprint: _Sprint, previous: _Sprint | None) -> None:
        """Sprint planning just before the start: refine, break down and commit the top of the
        backlog, fewer when much work was carried over."""
        rng, start = self.rng, sprint.start or 0
        planner = self._team(board)[1]
        earliest = (previous.complete or 0) + _MINUTE if previous else start - _DAY
        plan_lo = max(earliest, start - 50 * _MINUTE)
        carried = sum(1 for i in board.members.values() if i.kind != "subtask")
        wanted = max(1, board.per_sprint + rng.randint(-1, 1) - carried // 2)
        chosen = self._backlog(board, plan_lo, wanted)
        step = (start - _SECOND - plan_lo) // (len(chosen) + 1)
        for position, issue in enumerate(chosen, start=1):
            moment = plan_lo + position * step
            if issue.estimate is None and rng.random() < 0.85:
                refine_lo = max(issue.last + _MINUTE, start - 5 * _DAY)
                if refine_lo < plan_lo - _MINUTE:
                    when = self._working_time(refine_lo, plan_lo - _MINUTE)
                    self._estimate(issue, when, self._team(board)[0], self._points())
            self._create_subtasks(issue, moment, defer=rng.random() < 0.35)
            if self._family_last(issue) < moment:
                self._move(issue, moment, planner, [*issue.sprints, sprint.id], board)

    def _scenarios(
        self, board: _Board, sprint: _Sprint, day_count: int, committed: int
    ) -> list[_Event]:
        """The disruptions of one sprint, each on a random working day and slot."""
        if day_count == 0:
            return []
        rates = [
            ("add", 0.14, 1.0, 1, day_count - 3),
            ("urgent", 0.05, 0.6, 1, day_count - 2),
            ("remove", 0.07, 1.3, 2, day_count - 2),
            ("reestimate", 0.1, 0.95, 1, day_count - 3),
            ("reopen", 0.05, 0.9, 4, day_count - 1),
            ("close_done", 0.06, 0.9, 3, day_count - 1),
            ("cancel", 0.02, 0.25, 2, day_count - 1),
            ("subtask", 0.04, 0.5, 1, day_count - 3),
        ]
        if sprint.state == "active":
            rates.append(("future", 0.3, 2.0, 2, day_count - 1))
        events: list[_Event] = []
        for kind, per_issue, floor, first, last in rates:
            for _ in range(self._count(max(floor, per_issue * committed))):
                events.append(self._event(day_count, first, last, kind, None))
        for _ in range(self._count(max(0.8, 0.02 * committed))):
            outside = self._finish_outside(board, sprint)
            if outside is not None:
                events.append(self._event(day_count, 1, 3, "pull", outside))
        events.sort(key=lambda e: (e.day, e.slot, e.order))
        return events

    def _event(
        self, day_count: int, first: int, last: int, kind: str, issue: _Issue | None
    ) -> _Event:
        first = min(first, day_count - 1)
        last = max(first, min(last, day_count - 1))
        rng = self.rng
        return _Event(
            rng.randint(first, last), rng.randrange(3), rng.randrange(1 << 30), kind, issue
        )

    def _finish_outside(self, board: _Board, sprint: _Sprint) -> _Issue | None:
        """Someone completes a never-planned backlog issue in the days before the sprint starts."""
        start = sprint.start or 0
        lo, hi = start - 4 * _DAY, start - _DAY
        for issue in board.ranked[board.cursor :]:
            if (
                not issue.sprints
                and not issue.subtasks
                and (issue.created or start) < lo - _DAY
                and self._available(issue, lo)
            ):
                began = self._working_time(lo, hi)
                worker = issue.assignee or self._developer(board)
                self._transition(issue, began, worker, "progress")
                self._transition(issue, began + self.rng.randint(40, 200) * _MINUTE, worker, "done")
                issue.pinned = True
                return issue
        return None

    def _scenario(self, board: _Board, sprint: _Sprint, event: _Event, lo: int, hi: int) -> None:
        rng = self.rng
        team = self._team(board)
        members = [i for i in board.members.values() if i.kind != "subtask" and not i.pinned]
        kind = event.kind
        target: _Issue | None = None
        if kind in ("add", "future"):
            # Usually the top of the backlog; for an "add", often a story with sub-tasks.
            candidates = self._backlog(board, lo, 30)
            with_subtasks = [i for i in candidates if i.subtasks]
            if kind == "add" and with_subtasks and rng.random() < 0.6:
                candidates = with_subtasks
            target = candidates[0] if candidates else None
        elif kind == "urgent":
            fresh = next(
                (
                    i
                    for i in board.urgent
                    if not i.histories
                    and not i.sprints
                    and (sprint.start or 0) < (i.created or 0) < lo
                ),
                None,
            )
            if fresh is not None:
                fresh.sprints = [sprint.id]  # created straight into the sprint: no changelog item
                board.members[fresh.seq] = fresh
            return
        elif kind == "remove":
            target = _pick(rng, [i for i in members if i.status not in _DONE])
        elif kind == "reestimate":
            target = _pick(rng, members)
        elif kind == "reopen":
            target = _pick(rng, [i for i in members if i.status in _DONE and i.done_at])
        elif kind == "close_done":
            target = _pick(rng, [i for i in members if i.status == "done"])
        elif kind == "cancel":
            target = _pick(rng, [i for i in members if i.status == "todo" and not i.subtasks])
        elif kind == "subtask":
            target = _pick(rng, [i for i in members if i.deferred is not None])
        elif kind in ("pull", "readd"):
            target = event.issue
        if target is None:
            return
        moment = max(
            self._between(lo, hi), self._family_last(target) + rng.randint(1, 20) * _MINUTE
        )
        if moment >= hi:
            return
        if kind in ("add", "pull", "readd"):
            if sprint.id in target.sprints or (kind == "readd" and not self._available(target, lo)):
                return
            self._create_subtasks(target, moment, defer=False)
            self._move(target, moment, team[1], [*target.sprints, sprint.id], board)
        elif kind == "future":
            following = board.sprints[-1]
            self._create_subtasks(target, moment, defer=False)
            self._move(target, moment, team[0], [*target.sprints, following.id], board)
        elif kind == "remove":
            remaining = [s for s in target.sprints if s != sprint.id]
            self._move(target, moment, team[rng.randrange(2)], remaining, board)
            if rng.random() < 0.25:  # removed by mistake, or priorities changed back
                day = event.day + rng.randint(1, 2)
                board.events.append(_Event(day, rng.randrange(3), 0, "readd", target))
                board.events.sort(key=lambda e: (e.day, e.slot, e.order))
        elif kind == "reestimate":
            if target.estimate is None:
                value = self._points()
            else:
                index = _POINTS.index(target.estimate)
                index = index + 1 if index == 0 or (index < 5 and rng.random() < 0.6) else index - 1
                value = _POINTS[index]
            self._estimate(target, moment, team[rng.randrange(len(team))], value)
        elif kind == "reopen":
            self._transition(target, moment, team[0], rng.choice(("progress", "todo")))
        elif kind == "close_done":
            self._transition(target, moment, team[1], "closed")
        elif kind == "cancel":
            self._transition(target, moment, team[0], "closed", resolution="wontdo")
        elif kind == "subtask":
            subtask = target.deferred
            assert subtask is not None
            target.deferred = None
            subtask.created = moment
            subtask.last = moment
            subtask.sprints = list(target.sprints)
            board.members[subtask.seq] = subtask

    def _progress(self, board: _Board, fraction: float, lo: int, hi: int) -> None:
        """One third of a working day: each open member may move one step along the workflow."""
        rng = self.rng
        start_chance = (0.25 + 0.35 * fraction) / 3
        for issue in list(board.members.values()):
            status = issue.status
            if status in _DONE or issue.pinned:
                continue
            roll = rng.random()
            if status == "todo":
                if roll >= start_chance:
                    continue
                to = "progress"
            elif status == "progress":
                if roll >= min(0.85, 1.3 / (1 + (issue.estimate or 3.0) / 2)) / 3:
                    continue
                to = "review"
            elif roll < 0.02:
                to = "progress"  # sent back from review
            elif roll < 0.2 and all(s.status in _DONE for s in issue.family()[1:]):
                to = "done"
            else:
                continue
            moment = max(self._between(lo, hi), issue.last + rng.randint(1, 30) * _MINUTE)
            if to == "done":
                moment = max(moment, self._family_last(issue) + _MINUTE)
            if moment < hi:
                self._transition(issue, moment, issue.assignee or self._developer(board), to)

    def _close(self, board: _Board, sprint: _Sprint, following: _Sprint) -> None:
        """Complete the sprint: most unfinished work moves to the next sprint, keeping the closed
        one in its Sprint field; the rest goes back to the backlog without a changelog entry."""
        rng = self.rng
        closer = self._team(board)[1]
        moment = (sprint.complete or 0) + rng.randint(50, 400)
        for issue in list(board.members.values()):
            if issue.kind == "subtask" or issue.status in _DONE or sprint.id not in issue.sprints:
                continue
            if rng.random() < 0.85:
                moment += rng.randint(3, 40)
                self._move(issue, moment, closer, [*issue.sprints, following.id], board)
            else:
                self._reconsider(issue)
        self.open_sprints.discard(sprint.id)

    def _finish(self, board: _Board) -> None:
        """Create sub-tasks never broken down in a sprint, and close epics whose work is done."""
        rng = self.rng
        for issue in board.issues:
            parent = issue.parent
            if parent is None or issue.created is not None:
                continue
            lo = max((parent.created or 0) + _DAY, self._family_last(parent) + _MINUTE)
            issue.created = self._working_time(min(lo, NOW - 2 * _MINUTE), NOW - _MINUTE)
            issue.last = issue.created
            issue.sprints = list(parent.sprints)
        children: dict[int, list[_Issue]] = {}
        for issue in board.issues:
            if issue.epic is not None:
                children.setdefault(issue.epic.seq, []).append(issue)
        for epic in board.epics:
            work = children.get(epic.seq, [])
            if epic.status != "progress" or not work or rng.random() < 0.3:
                continue
            if all(i.status in _DONE for i in work):
                lo = max(i.last for i in work) + _HOUR
                if lo < _SIMULATION_END:
                    moment = self._working_time(lo, _SIMULATION_END)
                    self._transition(epic, moment, self._team(board)[0], "done")

    def _add_noise(self) -> None:
        """Edits a sync must step over (rank, priority, flag), enough to reach the requested mean
        number of histories per issue; they touch none of the fields the sprint figures use."""
        rng = self.rng
        issues = [issue for board in self.boards for issue in board.issues]
        teams = {board.spec.id: self._team(board) for board in self.boards}
        core = sum(len(issue.histories) for issue in issues)
        extra = max(0.0, self.histories_per_issue - core / max(1, len(issues)))
        for issue in issues:
            count = self._count(extra * rng.uniform(0.4, 1.6))
            lo = (issue.created or 0) + _MINUTE
            if not count or lo >= _SIMULATION_END:
                continue
            team = teams[issue.board]
            for moment in sorted(self._working_time(lo, _SIMULATION_END) for _ in range(count)):
                roll = rng.random()
                item: Item
                if roll < 0.5:
                    item = ("rank", rng.random() < 0.5)
                elif roll < 0.75:
                    new = rng.choice([p for p in _PRIORITIES if p != issue.priority])
                    item = ("priority", issue.priority, new)
                    issue.priority = new
                else:
                    issue.flagged = not issue.flagged
                    item = ("flag", issue.flagged)
                self._record(issue, moment, rng.choice(team), (item,))


def _pick(rng: random.Random, issues: list[_Issue]) -> _Issue | None:
    return rng.choice(issues) if issues else None


def _phased(summary: str, phase: int) -> str:
    """Benchmarks reuse the demo's summaries; later rounds of the same work say which phase."""
    return summary if phase == 0 else f"{summary} (phase {phase + 1})"


def _points_text(value: float | None) -> str | None:
    """Estimates in changelog strings as Jira writes them: "3", "0.5"."""
    if value is None:
        return None
    return str(int(value)) if value.is_integer() else str(value)


# ---------------------------------------------------------------------------------------------
# Rendering the simulated state as Jira's REST bodies.


class _Renderer:
    def __init__(self, sim: _Simulation, name: str, url: str) -> None:
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
        self._users: dict[_User, dict[str, Any]] = {}
        self._items: dict[Item, dict[str, Any]] = {}
        self._sprint_values: dict[int, Any] = {}
        self._build_shared()

    def _scrambled_issue(self) -> int:
        """Jira does not promise history order; one issue per site shows it."""
        board = self.sim.boards[0]
        candidates = [i for i in board.issues if i.kind != "subtask" and len(i.histories) >= 4]
        return max(candidates, key=lambda i: (len(i.histories), -i.seq)).seq if candidates else -1

    # -- small objects ------------------------------------------------------------------------

    def user(self, user: _User | None) -> dict[str, Any] | None:
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
            role: {"id": status_id, "name": name, "statusCategory": _CATEGORIES[category]}
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
            for role, (priority_id, name) in _PRIORITIES.items()
        }
        self.resolutions = {
            role: {"id": resolution_id, "name": name}
            for role, (resolution_id, name) in p.resolutions.items()
        }

    def sprint(self, sprint: _Sprint) -> dict[str, Any]:
        """A sprint as GET /rest/agile/1.0/board/{id}/sprint lists it."""
        when = _utc_time if self.cloud else _agile_time
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
                        value[key] = _utc_time(moment)
            else:

                def text(moment: int | None) -> str:
                    return "<null>" if moment is None else _agile_time(moment)

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
                "priority", "jira", "priority", _PRIORITIES[raw[1]], _PRIORITIES[raw[2]]
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

    def _person(self, user: _User | None) -> tuple[str | None, str | None]:
        if user is None:
            return None, None
        return (user.account_id if self.cloud else user.key), user.display

    def changelog(self, issue: _Issue) -> dict[str, Any]:
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

    def reference(self, issue: _Issue) -> dict[str, Any]:
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

    def issue(self, issue: _Issue, board: _Board) -> dict[str, Any]:
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

    def component_id(self, board: _Board, name: str) -> str:
        return str(10000 + 100 * board.position + board.spec.components.index(name))

    # -- site ---------------------------------------------------------------------------------

    def board(self, board: _Board) -> BoardData:
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


# ---------------------------------------------------------------------------------------------
# Public API.


def generate_site(
    name: str,
    kind: str,
    url: str,
    boards: Sequence[BoardSpec] | int = 2,
    issues_per_board: int = 60,
    sprints: int = 7,
    histories_per_issue: float = 9.0,
    seed: int = 0,
) -> SiteData:
    """Simulate one Jira site. `sprints` counts the closed sprints per board (an active and a
    future sprint follow); `histories_per_issue` is the mean changelog length, reached by adding
    rank, priority and flag edits on top of the simulated workflow (which alone gives four to
    five). An int for `boards` reuses the demo boards' content under new keys, for benchmarks.

    Objects repeated across issues (users, statuses, sprint values) are shared, not copied, to
    keep large sites fast: copy before mutating one issue's nested values."""
    if kind not in _PROFILES:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if sprints < 1 or issues_per_board < 10:
        raise ValueError("need at least one closed sprint and ten issues per board")
    specs = _generic_boards(boards) if isinstance(boards, int) else list(boards)
    collecting = gc.isenabled()
    gc.disable()  # millions of small acyclic objects: the cycle collector would only slow this
    try:
        simulation = _Simulation(
            _PROFILES[kind], specs, issues_per_board, sprints, histories_per_issue, seed, name
        )
        simulation.run()
        return _Renderer(simulation, name, url).site()
    finally:
        if collecting:
            gc.enable()


def _generic_boards(count: int) -> list[BoardSpec]:
    themes = NORTHMOOR_BOARDS + WESTBRIDGE_BOARDS
    specs = []
    for index in range(count):
        theme = themes[index % len(themes)]
        cycle = index // len(themes)
        suffix = "" if cycle == 0 else chr(ord("A") + (cycle - 1) % 26) * (1 + (cycle - 1) // 26)
        specs.append(
            BoardSpec(
                id=index + 1,
                name=theme.name if cycle == 0 else f"{theme.name} {cycle + 1}",
                project_key=theme.project_key + suffix,
                project_name=theme.project_name
                if cycle == 0
                else f"{theme.project_name} {cycle + 1}",
                team=theme.team,
                components=theme.components,
                epics=theme.epics,
                work=theme.work,
                goals=theme.goals,
                first_sprint_number=theme.first_sprint_number,
            )
        )
    return specs


_DEMO_ISSUES = 66  # per board: each work item once, three epics, ten sub-tasks


def generate_demo_sites() -> dict[str, SiteData]:
    """The demo programme's Jira: Northmoor's Cloud site and Westbridge's Data Center."""
    return {
        "northmoor": generate_site(
            "northmoor", "cloud", NORTHMOOR_URL, NORTHMOOR_BOARDS, _DEMO_ISSUES, seed=11
        ),
        "westbridge": generate_site(
            "westbridge", "datacenter", WESTBRIDGE_URL, WESTBRIDGE_BOARDS, _DEMO_ISSUES, seed=12
        ),
    }


def write_demo(root: Path) -> None:
    """Write each demo site to `root/<site>/` in the offline import layout."""
    for name, data in generate_demo_sites().items():
        write_dataset(data, Path(root) / name)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m tracker.demo.jira_generator OUTPUT_DIR", file=sys.stderr)
        return 2
    write_demo(Path(args[0]))
    return 0


# ---------------------------------------------------------------------------------------------
# The demo programme's boards. Other code refers to these names, keys and ids.

_S, _T, _B = "story", "task", "bug"

NORTHMOOR_BOARDS: tuple[BoardSpec, ...] = (
    BoardSpec(
        id=1,
        name="RB Scrum",
        project_key="RB",
        project_name="Revenues and Benefits",
        team=(
            "Tom Hargreaves",
            "Imran Qureshi",
            "Hannah Whitcombe",
            "Kwame Mensah",
            "Rhiannon Pugh",
            "Gareth Lewis",
        ),
        components=("Council tax", "Business rates", "Housing benefit", "Payments"),
        epics=(
            "Council tax e-billing",
            "Housing benefit change of circumstances online",
            "Business rates self-service",
        ),
        first_sprint_number=14,
        goals=(
            "Residents can sign up for council tax e-billing",
            "Direct debit mandates migrated without a missed collection",
            "Housing benefit claimants can report a change online",
            "Assessors receive changes in the right queue",
            "Ratepayers can see their business rates account online",
            "Small business rate relief applications online",
            "E-bills ready for the 2027/28 annual billing run",
            "Claimants are told when their change has been processed",
            "Eastvale council tax accounts migrated to the shared platform",
        ),
        work=(
            WorkItem(_S, "Citizens can sign up for council tax e-billing", "Council tax", (), 0),
            WorkItem(_S, "Send annual council tax bills by email", "Council tax", (), 0),
            WorkItem(_S, "Migrate council tax direct debit mandates", "Payments", (), 0),
            WorkItem(_S, "Opt out of e-billing and return to paper bills", "Council tax", (), 0),
            WorkItem(_S, "Handle bounced e-bill emails", "Council tax", (), 0),
            WorkItem(_T, "DPIA for the e-billing email provider", "Council tax", ("dpia",), 0),
            WorkItem(_S, "Print file excludes e-billing accounts", "Council tax", (), 0),
            WorkItem(
                _B, "E-bill shows the wrong instalment date for February", "Council tax", (), 0
            ),
            WorkItem(_S, "Accessible PDF bill template", "Council tax", ("accessibility",), 0),
            WorkItem(_T, "Set up SPF and DKIM for bills@northmoor.gov.uk", "Council tax", (), 0),
            WorkItem(_S, "Report a change of address for council tax", "Council tax"),
            WorkItem(_S, "Single person discount review letters", "Council tax"),
            WorkItem(_S, "Online change of circumstances form", "Housing benefit", (), 1),
            WorkItem(_S, "Upload evidence of income with a change", "Housing benefit", (), 1),
            WorkItem(_S, "Route changes to the right assessor queue", "Housing benefit", (), 1),
            WorkItem(_B, "Evidence upload fails for HEIC photos", "Housing benefit", (), 1),
            WorkItem(_S, "Notify claimants when a change is processed", "Housing benefit", (), 1),
            WorkItem(
                _S, "Match Universal Credit notifications to claims", "Housing benefit", (), 1
            ),
            WorkItem(
                _B,
                "Session timeout loses change of circumstances answers",
                "Housing benefit",
                (),
                1,
            ),
            WorkItem(_S, "Business rates account view for ratepayers", "Business rates", (), 2),
            WorkItem(_S, "Apply for small business rate relief online", "Business rates", (), 2),
            WorkItem(_S, "Download business rates bills as PDF", "Business rates", (), 2),
            WorkItem(_S, "Direct debit sign-up for business rates", "Payments", (), 2),
            WorkItem(
                _B, "Rateable value shown without thousands separator", "Business rates", (), 2
            ),
            WorkItem(_T, "Reconcile card payments with the revenues ledger", "Payments"),
            WorkItem(_S, "Refund overpaid council tax to a bank account", "Payments"),
            WorkItem(_S, "Weekly reminder notice run", "Council tax", ("recovery",)),
            WorkItem(_S, "Discretionary housing payment application form", "Housing benefit"),
            WorkItem(_T, "Council tax reduction scheme 2027/28 rules", "Council tax"),
            WorkItem(_T, "Load test the council tax account portal", "Council tax"),
            WorkItem(_B, "Direct debit reference truncated on confirmation page", "Payments"),
            WorkItem(_T, "Archive 2019/20 council tax documents", "Council tax"),
            WorkItem(
                _T,
                "Fix penetration test findings on the revenues portal",
                "Payments",
                ("security",),
            ),
            WorkItem(_B, "Discount letter merges the wrong surname", "Council tax"),
            WorkItem(
                _S,
                "Eastvale account migration: council tax balances",
                "Council tax",
                ("migration",),
            ),
            WorkItem(
                _S, "Eastvale account migration: benefit claims", "Housing benefit", ("migration",)
            ),
            WorkItem(_T, "Agree e-billing wording with legal services", "Council tax", (), 0),
            WorkItem(_S, "Landlord portal: see payments for tenants", "Housing benefit"),
            WorkItem(_B, "Instalment plan ignores the 1st of the month", "Council tax"),
            WorkItem(_S, "Empty property discount claim online", "Council tax"),
            WorkItem(
                _T, "Move revenues batch jobs to the shared scheduler", "Payments", ("tech-debt",)
            ),
            WorkItem(_S, "Ledgerline nightly extract for Southmere", "Council tax", ("migration",)),
            WorkItem(_B, "Refund form rejects building society roll numbers", "Payments"),
            WorkItem(
                _S, "E-billing sign-up prompt on the council tax account page", "Council tax", (), 0
            ),
            WorkItem(_S, "Paperless reminder notices for e-billing accounts", "Council tax", (), 0),
            WorkItem(_T, "E-billing take-up report for the programme board", "Council tax", (), 0),
            WorkItem(
                _S, "Claimants see the status of their change online", "Housing benefit", (), 1
            ),
            WorkItem(_T, "Assessor training on the new change queue", "Housing benefit", (), 1),
            WorkItem(_S, "Business rates change of occupier form", "Business rates", (), 2),
            WorkItem(_B, "Relief application loses the VAT number", "Business rates", (), 2),
            WorkItem(
                _S, "Pay council tax arrears by instalments online", "Payments", ("recovery",)
            ),
            WorkItem(_B, "Card payment receipt shows the wrong account", "Payments"),
            WorkItem(_T, "Ledgerline upgrade to the 2026 R2 release", "Payments", ("supplier",)),
            WorkItem(_S, "Student exemption evidence upload", "Council tax"),
        ),
    ),
    BoardSpec(
        id=2,
        name="Contact Centre Scrum",
        project_key="CC",
        project_name="Contact Centre",
        team=(
            "Aisha Okafor",
            "Sinead Byrne",
            "Owen Pritchard",
            "Marcus Reid",
            "Fatima Khan",
            "Chloe Bennett",
        ),
        components=("Telephony", "Web chat", "CRM", "Knowledge base"),
        epics=("IVR modernisation", "Web chat for council services", "Single customer record"),
        first_sprint_number=9,
        goals=(
            "Callers can report a missed bin without waiting for an agent",
            "Web chat live on the council tax pages",
            "Agents can refer callers for welfare advice",
            "One view of a caller's open cases",
            "Call-backs offered when queues are long",
            "Welfare advice referrals tracked to an outcome",
            "IVR routes council tax calls to the revenues team",
            "Web chat hands off to a welfare adviser",
            "Duplicate customer records merged",
        ),
        work=(
            WorkItem(_S, "IVR menu for missed bin reports", "Telephony", (), 0),
            WorkItem(_S, "Call-back option when the queue is long", "Telephony", (), 0),
            WorkItem(_S, "Route council tax calls to the revenues team", "Telephony", (), 0),
            WorkItem(_S, "Recorded message during storm disruption", "Telephony", (), 0),
            WorkItem(_S, "Automated card payments line", "Telephony", ("pci",), 0),
            WorkItem(_T, "Record new IVR prompts", "Telephony", (), 0),
            WorkItem(_B, "IVR drops calls when option 3 is pressed twice", "Telephony", (), 0),
            WorkItem(_S, "Web chat on the council tax pages", "Web chat", (), 1),
            WorkItem(_S, "Email the chat transcript to the customer", "Web chat", (), 1),
            WorkItem(_S, "Out-of-hours message on web chat", "Web chat", (), 1),
            WorkItem(
                _S, "Hand off web chat to a welfare adviser", "Web chat", ("welfare-advice",), 1
            ),
            WorkItem(_T, "Train agents on the web chat console", "Web chat", (), 1),
            WorkItem(_B, "Chat widget overlaps the cookie banner on mobile", "Web chat", (), 1),
            WorkItem(_S, "Show a caller's open cases on one screen", "CRM", (), 2),
            WorkItem(_S, "Merge duplicate customer records", "CRM", (), 2),
            WorkItem(_S, "Record a vulnerability flag with consent", "CRM", (), 2),
            WorkItem(_S, "Search customers by UPRN", "CRM", (), 2),
            WorkItem(_B, "CRM search times out for common surnames", "CRM", (), 2),
            WorkItem(_S, "Welfare advice referral form for agents", "CRM", ("welfare-advice",)),
            WorkItem(_S, "Refer callers to Open Door Advice", "CRM", ("welfare-advice",)),
            WorkItem(
                _S, "Track the outcome of welfare advice referrals", "CRM", ("welfare-advice",)
            ),
            WorkItem(_S, "Benefit entitlement check script", "Knowledge base", ("welfare-advice",)),
            WorkItem(_S, "Cost of living support article", "Knowledge base", ("welfare-advice",)),
            WorkItem(_T, "DPIA for welfare advice referrals", "CRM", ("welfare-advice", "dpia")),
            WorkItem(
                _T, "Data sharing agreement with Open Door Advice", "CRM", ("welfare-advice",)
            ),
            WorkItem(
                _B,
                "Referral email not sent for postcodes without a space",
                "CRM",
                ("welfare-advice",),
            ),
            WorkItem(_S, "Knowledge base article review workflow", "Knowledge base"),
            WorkItem(_B, "Agents see stale articles after publishing", "Knowledge base"),
            WorkItem(_S, "Performance dashboard for service managers", "CRM"),
            WorkItem(_T, "Decommission the old call recording server", "Telephony", ("tech-debt",)),
            WorkItem(_S, "Queue announcements in Welsh and Polish", "Telephony"),
            WorkItem(_S, "SMS confirmation after a call", "Telephony"),
            WorkItem(_T, "Skyward SIP trunk failover test", "Telephony"),
            WorkItem(_S, "Council tax FAQs in the knowledge base", "Knowledge base"),
            WorkItem(_B, "Wrap-up codes missing for welfare calls", "CRM", ("welfare-advice",)),
            WorkItem(
                _S, "Warm transfer to Open Door Advice advisers", "Telephony", ("welfare-advice",)
            ),
            WorkItem(_S, "Complaints logged from web chat", "Web chat"),
            WorkItem(_T, "Agent desktop single sign-on", "CRM"),
            WorkItem(_S, "Abandoned call report by hour", "Telephony"),
            WorkItem(_B, "Call-back number not validated", "Telephony", (), 0),
            WorkItem(
                _S, "Food bank voucher referral script", "Knowledge base", ("welfare-advice",)
            ),
            WorkItem(_S, "Contact reason captured for every call", "CRM"),
            WorkItem(_T, "Retire the old FAQ site", "Knowledge base", ("tech-debt",)),
            WorkItem(_S, "Chatbot answers bin day questions", "Web chat", (), 1),
            WorkItem(_S, "Chat queue position shown to customers", "Web chat", (), 1),
            WorkItem(_T, "Web chat accessibility audit", "Web chat", ("accessibility",), 1),
            WorkItem(_S, "IVR option for council tax payments", "Telephony", ("pci",), 0),
            WorkItem(_B, "Hold music loops after 20 minutes", "Telephony", (), 0),
            WorkItem(_S, "Link calls to the customer record automatically", "CRM", (), 2),
            WorkItem(_T, "Data quality report on customer records", "CRM", (), 2),
            WorkItem(_S, "Debt advice callback booking", "CRM", ("welfare-advice",)),
            WorkItem(_S, "Warm Spaces directory article", "Knowledge base", ("welfare-advice",)),
            WorkItem(_B, "Knowledge base search ignores plurals", "Knowledge base"),
            WorkItem(_T, "Skyward contact centre licence true-up", "Telephony", ("supplier",)),
        ),
    ),
)

WESTBRIDGE_BOARDS: tuple[BoardSpec, ...] = (
    BoardSpec(
        id=10,
        name="ASC Referrals",
        project_key="ASC",
        project_name="Adult Social Care Referrals",
        team=(
            "Rebecca Ainsworth",
            "Lucy Fairbairn",
            "Daniel Okoro",
            "Ellie Thornton",
            "Marcus Bell",
            "Sarah Whitlock",
        ),
        components=("Referral form", "Case management", "Charity portal", "Data sharing"),
        epics=(
            "Online adult social care referral",
            "Referral triage with Carers Link Trust",
            "Information governance for referrals",
        ),
        first_sprint_number=21,
        goals=(
            "Professionals can submit a referral online",
            "Carers Link Trust can accept referrals in their portal",
            "Consent, audit log and retention in place for referrals",
            "Referrals not picked up in two working days are escalated",
            "Safeguarding concerns reach the duty team, not the charity",
            "Carers can refer themselves",
            "DPIA signed off for referral data sharing",
            "Weekly outcomes report for the partnership board",
            "Referral attachments reach the charity securely",
        ),
        work=(
            WorkItem(_S, "Professionals can submit a referral online", "Referral form", (), 0),
            WorkItem(_S, "Save a referral draft and return later", "Referral form", (), 0),
            WorkItem(
                _S, "Ask for consent to share with the charity", "Referral form", ("consent",), 0
            ),
            WorkItem(_S, "Address lookup by postcode", "Referral form", (), 0),
            WorkItem(_S, "Self-referral route for carers", "Referral form", (), 0),
            WorkItem(_S, "Acknowledgement email with reference number", "Referral form", (), 0),
            WorkItem(
                _T, "Usability testing with social workers", "Referral form", ("research",), 0
            ),
            WorkItem(_B, "Referral form rejects NHS numbers with spaces", "Referral form", (), 0),
            WorkItem(_B, "Acknowledgement email sent twice", "Referral form", (), 0),
            WorkItem(_B, "Date of birth check fails before 1930", "Referral form", (), 0),
            WorkItem(_S, "Triage queue for new referrals", "Case management", (), 1),
            WorkItem(_S, "Charity portal: accept or decline a referral", "Charity portal", (), 1),
            WorkItem(_S, "Charity portal: record first contact", "Charity portal", (), 1),
            WorkItem(_S, "Escalate referrals not picked up in 2 days", "Case management", (), 1),
            WorkItem(_S, "Weekly referral outcomes report", "Case management", ("reporting",), 1),
            WorkItem(
                _S,
                "Safeguarding concerns go to the duty team",
                "Case management",
                ("safeguarding",),
                1,
            ),
            WorkItem(_T, "Charity staff accounts in the partner portal", "Charity portal", (), 1),
            WorkItem(
                _B,
                "Charity portal shows other districts' referrals",
                "Charity portal",
                ("security",),
                1,
            ),
            WorkItem(_B, "Triage queue sorts by surname", "Case management", (), 1),
            WorkItem(_T, "DPIA for referral data sharing", "Data sharing", ("dpia",), 2),
            WorkItem(
                _T, "Information sharing agreement with Carers Link Trust", "Data sharing", (), 2
            ),
            WorkItem(_S, "Audit log of who viewed a referral", "Data sharing", (), 2),
            WorkItem(_S, "Pseudonymise the reporting extract", "Data sharing", (), 2),
            WorkItem(
                _S, "Delete closed referrals after six years", "Data sharing", ("retention",), 2
            ),
            WorkItem(_S, "Secure transfer of attachments to the charity", "Data sharing", (), 2),
            WorkItem(_S, "Easy read privacy notice", "Referral form", ("accessibility",), 2),
            WorkItem(_T, "Penetration test of the charity portal", "Charity portal", ("security",)),
            WorkItem(_S, "Referral status visible to the referrer", "Referral form"),
            WorkItem(_S, "GP practice lookup", "Referral form"),
            WorkItem(_S, "Carers assessment request from the charity", "Charity portal"),
            WorkItem(_B, "Portal session expires during long notes", "Charity portal"),
            WorkItem(_T, "NHS DSPT evidence for Carers Link Trust", "Data sharing", ("dpia",)),
            WorkItem(_S, "Interpreter needed flag on referrals", "Referral form"),
            WorkItem(_S, "Duplicate referral warning", "Case management"),
            WorkItem(_T, "Mosaic case record integration spike", "Case management"),
            WorkItem(_S, "Reassign a referral between charity workers", "Charity portal"),
            WorkItem(_B, "Attachment upload fails over 10 MB", "Referral form"),
            WorkItem(_S, "Outcome codes agreed with the charity", "Case management"),
            WorkItem(_T, "Subject access request procedure", "Data sharing", ("dpia",)),
            WorkItem(_S, "Hospital discharge referrals", "Referral form"),
            WorkItem(_S, "Monthly contract monitoring return", "Case management", ("reporting",)),
            WorkItem(_B, "Reference numbers repeat after midnight", "Referral form"),
            WorkItem(_S, "Referrer can withdraw a referral", "Referral form"),
            WorkItem(_T, "Run the privacy impact workshop", "Data sharing", ("dpia",), 2),
            WorkItem(_S, "Referral form in plain English", "Referral form", ("accessibility",), 0),
            WorkItem(_S, "Professionals can upload a care plan", "Referral form", (), 0),
            WorkItem(
                _S, "Charity portal: close a referral with an outcome", "Charity portal", (), 1
            ),
            WorkItem(_B, "Escalation email goes to a shared mailbox", "Case management", (), 1),
            WorkItem(_S, "Consent withdrawn stops sharing", "Data sharing", ("consent",), 2),
            WorkItem(_T, "Records of processing entry for referrals", "Data sharing", ("dpia",), 2),
            WorkItem(_S, "Out-of-hours referrals go to the emergency duty team", "Case management"),
            WorkItem(_B, "Portal shows times in UTC", "Charity portal"),
            WorkItem(
                _T, "Carers Link Trust Cyber Essentials evidence", "Charity portal", ("security",)
            ),
            WorkItem(_S, "Referral volumes by district for commissioners", "Case management"),
        ),
    ),
    BoardSpec(
        id=11,
        name="Waste Digital",
        project_key="WST",
        project_name="Waste Digital",
        team=(
            "Helen Marsh",
            "Nadia Kowalski",
            "Jack Turner",
            "Liam Fenwick",
            "Grace Oduya",
            "Steve Radcliffe",
        ),
        components=("Missed bins", "Bulky waste", "Garden waste", "Round planning"),
        epics=("Bulky waste booking", "Missed bin reporting", "Garden waste subscriptions"),
        first_sprint_number=31,
        goals=(
            "Citizens can book a bulky waste collection online",
            "Residents can report a missed bin online",
            "Missed bins reach the depot in real time",
            "Garden waste renewals open for 2027",
            "Crews see bulky waste jobs in the cab",
            "Bank holiday collection changes published",
            "Residents are told when a missed bin has been collected",
            "Bulky waste bookings can be cancelled and rebooked",
            "Garden waste permits posted automatically",
        ),
        work=(
            WorkItem(_S, "Citizens can book a bulky waste collection online", "Bulky waste", (), 0),
            WorkItem(_S, "Pay for bulky waste by card", "Bulky waste", ("payments",), 0),
            WorkItem(_S, "Choose a collection date from available slots", "Bulky waste", (), 0),
            WorkItem(_S, "Cancel or rebook a bulky waste collection", "Bulky waste", (), 0),
            WorkItem(_S, "Crews see bulky waste jobs on in-cab tablets", "Round planning", (), 0),
            WorkItem(_T, "Payment gateway merchant account", "Bulky waste", ("payments",), 0),
            WorkItem(_B, "Bulky waste slots double-booked on bank holidays", "Bulky waste", (), 0),
            WorkItem(_S, "Report a missed bin online", "Missed bins", (), 1),
            WorkItem(_S, "Show when a crew reported the street blocked", "Missed bins", (), 1),
            WorkItem(_S, "IVR menu for missed bin reports", "Missed bins", ("contact-centre",), 1),
            WorkItem(_S, "Send missed bin reports to the depot in real time", "Missed bins", (), 1),
            WorkItem(_S, "Tell residents when a missed bin is collected", "Missed bins", (), 1),
            WorkItem(_T, "Import missed bin history from the old system", "Missed bins", (), 1),
            WorkItem(_T, "Agree the missed bin service standard", "Missed bins", (), 1),
            WorkItem(_B, "Missed bin form accepts future dates", "Missed bins", (), 1),
            WorkItem(_B, "Reports from flats go to the wrong round", "Missed bins", (), 1),
            WorkItem(_S, "Subscribe to garden waste collections", "Garden waste", (), 2),
            WorkItem(_S, "Renew garden waste for 2027", "Garden waste", (), 2),
            WorkItem(_S, "Post garden waste permits automatically", "Garden waste", (), 2),
            WorkItem(_B, "Renewal email links to last year's price", "Garden waste", (), 2),
            WorkItem(_S, "Assisted collection flag shown to crews", "Round planning"),
            WorkItem(_S, "Bin collection calendar by postcode", "Round planning"),
            WorkItem(_S, "Christmas collection changes in the calendar", "Round planning"),
            WorkItem(_T, "Round data export for the new depot", "Round planning"),
            WorkItem(_T, "DPIA for in-cab tablet location data", "Round planning", ("dpia",)),
            WorkItem(_B, "Calendar shows the wrong week after the clocks change", "Round planning"),
            WorkItem(_S, "Order a replacement bin", "Missed bins"),
            WorkItem(_S, "Report a damaged bin", "Missed bins"),
            WorkItem(_S, "Missed bin photo evidence from crews", "Missed bins"),
            WorkItem(_B, "Missed bin reference not shown on confirmation", "Missed bins"),
            WorkItem(_S, "Bulky waste item list with prices", "Bulky waste"),
            WorkItem(_S, "Garden waste direct debit", "Garden waste", ("payments",)),
            WorkItem(_T, "Binwise API rate limits agreed", "Round planning"),
            WorkItem(_S, "Clinical waste collection requests", "Round planning"),
            WorkItem(_B, "In-cab app crashes without signal", "Round planning"),
            WorkItem(
                _S, "Missed bin dashboard for the contract manager", "Missed bins", ("reporting",)
            ),
            WorkItem(_S, "Street-level collection status map", "Round planning"),
            WorkItem(_T, "Load test the booking service for Christmas", "Bulky waste"),
            WorkItem(_S, "Bulky waste collection for fridges and freezers", "Bulky waste"),
            WorkItem(_B, "Garden waste sticker shows the wrong year", "Garden waste"),
            WorkItem(_S, "Contamination notice for recycling bins", "Round planning"),
            WorkItem(_S, "Repeat missed bin escalation to supervisors", "Missed bins"),
            WorkItem(_T, "Retire the old missed bin e-form", "Missed bins", ("tech-debt",)),
            WorkItem(_S, "Bulky waste booking confirmation by SMS", "Bulky waste", (), 0),
            WorkItem(_S, "Bulky waste collection from flats", "Bulky waste", (), 0),
            WorkItem(_B, "Booking page times out at payment", "Bulky waste", ("payments",), 0),
            WorkItem(_S, "Missed bin reports by text message", "Missed bins", (), 1),
            WorkItem(_T, "Missed bin reporting training for crews", "Missed bins", (), 1),
            WorkItem(
                _S, "Garden waste subscription transfer on moving home", "Garden waste", (), 2
            ),
            WorkItem(_T, "Garden waste price change for 2027", "Garden waste", (), 2),
            WorkItem(_S, "Crew tablet shows assisted collections first", "Round planning"),
            WorkItem(_B, "Missed bin map pins in the wrong street", "Missed bins"),
            WorkItem(_T, "Binwise support contract review", "Round planning", ("supplier",)),
            WorkItem(_S, "Recycling centre booking slots", "Bulky waste"),
        ),
    ),
)


if __name__ == "__main__":
    raise SystemExit(main())
