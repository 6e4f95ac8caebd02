"""One site's boards simulated sprint by sprint and working day by working day.

Hand-written fixtures drift out of step with their own changelogs, so each board is simulated
instead, with one seeded `random.Random`: planning, the day's progress along the workflow, the
disruptions a sprint report must handle (added, removed, re-estimated, reopened, carried over,
completed outside the sprint) and the close. Every state change is recorded as a changelog
history at the moment it happens, so the final state and its history agree by construction;
`rendering` then writes both as Jira's JSON.
"""

import hashlib
import random
from collections.abc import Sequence
from typing import Any, NamedTuple

from jira_simulator.boards import BoardSpec
from jira_simulator.clock import (
    ACTIVE_DAY,
    DAY,
    HOUR,
    MINUTE,
    NOW,
    SECOND,
    SIMULATION_END,
    WORK_END,
    WORK_START,
    is_weekday,
    local_day,
    uk_moment,
)
from jira_simulator.profiles import CATEGORY_OF, DONE, PRIORITIES, Profile

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


class User(NamedTuple):
    display: str
    account_id: str
    name: str
    key: str


class Sprint:
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


class Issue:
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
        self.epic: Issue | None = None
        self.parent: Issue | None = None
        self.subtasks: list[Issue] = []
        self.deferred: Issue | None = None
        self.created: int | None = None
        self.reporter: User | None = None
        self.assignee: User | None = None
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
        self.histories: list[tuple[int, int, User, tuple[Item, ...]]] = []

    def family(self) -> list["Issue"]:
        """The issue and its existing sub-tasks, which Jira keeps in the same sprint."""
        return [self, *(s for s in self.subtasks if s.created is not None)]


class _Event(NamedTuple):
    day: int
    slot: int
    order: int
    kind: str
    issue: Issue | None


class Board:
    """One board's simulation: its issues, sprints and the running sprint's members."""

    def __init__(self, spec: BoardSpec, position: int) -> None:
        self.spec = spec
        self.position = position
        self.issues: list[Issue] = []
        self.ranked: list[Issue] = []
        self.urgent: list[Issue] = []  # bugs and tasks, by creation: raised straight into a sprint
        self.rank_index: dict[int, int] = {}
        self.cursor = 0
        self.epics: list[Issue] = []
        self.sprints: list[Sprint] = []
        self.members: dict[int, Issue] = {}
        self.events: list[_Event] = []
        self.running: Sprint | None = None
        self.per_sprint = 3


class Simulation:
    def __init__(
        self,
        profile: Profile,
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
        self.users: dict[str, User] = {}
        self.site_name = site_name
        self.open_sprints: set[int] = set()  # not completed yet, at the simulated moment
        self.boards = [Board(spec, i) for i, spec in enumerate(specs)]
        self.board_by_id = {board.spec.id: board for board in self.boards}
        for board in self.boards:
            self._schedule(board, len(specs))
            self._create_issues(board, issues_per_board)

    # -- helpers ------------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def user(self, display: str) -> User:
        """A Jira account per person, with ids derived from the name so they are stable."""
        if display not in self.users:
            digest = hashlib.sha1(f"{self.site_name}/{display}".encode()).hexdigest()
            first, _, surname = display.partition(" ")
            login = (first[0] + surname.split(" ")[-1]).lower().replace("'", "")
            self.users[display] = User(
                display=display,
                account_id=(
                    f"712020:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-"
                    f"{digest[20:32]}"
                ),
                name=login,
                key=f"JIRAUSER{10100 + len(self.users)}",
            )
        return self.users[display]

    def _team(self, board: Board) -> list[User]:
        return [self.user(name) for name in board.spec.team]

    def _developer(self, board: Board) -> User:
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
        day = local_day(moment)
        while not is_weekday(day):
            day += 1
        minute = WORK_START + int(random_() * (WORK_END - WORK_START))
        snapped = uk_moment(day, minute) + int(random_() * MINUTE)
        return snapped if lo <= snapped < hi else moment

    def _record(self, issue: Issue, ms: int, author: User, items: tuple[Item, ...]) -> None:
        self.history_seq += 1
        issue.histories.append((ms, self.history_seq, author, items))
        issue.last = max(issue.last, ms)

    # -- setting up a board -------------------------------------------------------------------

    def _schedule(self, board: Board, board_count: int) -> None:
        """Two-week sprints starting Mondays 09:00, closed near the planned end, now and then a
        day late (the next sprint then starts on the Tuesday, straight after the close)."""
        rng, spec, closed = self.rng, board.spec, self.closed_sprints
        first_monday = ACTIVE_DAY - 14 * closed
        late_start: int | None = None
        for index in range(closed + 2):
            state = "closed" if index < closed else "active" if index == closed else "future"
            sprint = Sprint(
                sprint_id=self.profile.sprint_id_base + index * board_count + board.position,
                name=f"{spec.project_key} Sprint {spec.first_sprint_number + index}",
                goal=spec.goals[index % len(spec.goals)],
                board_id=spec.id,
                state=state,
            )
            monday = first_monday + 14 * index
            if state != "future":
                sprint.start = late_start or uk_moment(monday, WORK_START)
                sprint.end = uk_moment(monday + 14, WORK_START)
            late_start = None
            if state == "closed":
                roll = rng.random()
                if index < closed - 1 and roll < 0.2:
                    sprint.complete = uk_moment(monday + 15, rng.randint(9 * 60 + 20, 11 * 60 + 30))
                    late_start = sprint.complete + rng.randint(4, 15) * MINUTE
                elif roll < 0.6:
                    sprint.complete = uk_moment(monday + 11, rng.randint(15 * 60, 17 * 60))
                else:
                    sprint.complete = uk_moment(monday + 14, rng.randint(8 * 60 + 5, 8 * 60 + 50))
                sprint.complete += rng.randrange(MINUTE)
                if late_start:
                    late_start += rng.randrange(MINUTE)
            board.sprints.append(sprint)
            self.open_sprints.add(sprint.id)  # until the simulation completes it

    def _create_issues(self, board: Board, count: int) -> None:
        rng, spec = self.rng, board.spec
        team = self._team(board)
        first_start = board.sprints[0].start or 0
        epic_count = max(len(spec.epics), count // 25)
        subtask_count = round(count * 0.15)
        standard_count = max(1, count - epic_count - subtask_count)
        for index in range(epic_count):
            phase, name = divmod(index, len(spec.epics))
            epic = Issue(self._next_seq(), spec.id, "epic", _phased(spec.epics[name], phase))
            epic.created = uk_moment(
                local_day(first_start) - 70 + index // 8, 10 * 60 + index % 8 * 30
            )
            epic.reporter = team[0]
            epic.assignee = team[0]
            board.epics.append(epic)
            board.issues.append(epic)

        early = first_start - 42 * DAY
        for index in range(standard_count):
            phase, which = divmod(index, len(spec.work))
            work = spec.work[which]
            issue = Issue(self._next_seq(), spec.id, work.kind, _phased(work.summary, phase))
            issue.component = work.component
            issue.labels = work.labels
            if work.epic is not None:
                issue.epic = board.epics[(work.epic + phase * len(spec.epics)) % epic_count]
            if rng.random() < 0.55:
                issue.created = self._working_time(early, first_start - DAY)
            else:
                issue.created = self._working_time(first_start, SIMULATION_END - 2 * HOUR)
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
            issue.rank = issue.created / DAY + rng.gauss(0, 10) - urgency
            board.issues.append(issue)

        stories = [i for i in board.issues if i.kind == "story"] or board.issues[epic_count:]
        parents = rng.sample(stories, min(len(stories), max(1, subtask_count // 2)))
        made = 0
        while made < subtask_count:
            parent = parents[made % len(parents)]
            summary = _SUBTASK_SUMMARIES[(made * 7 + parent.seq) % len(_SUBTASK_SUMMARIES)]
            subtask = Issue(self._next_seq(), spec.id, "subtask", summary)
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

    def _family_last(self, issue: Issue) -> int:
        return max(member.last for member in issue.family())

    def _transition(
        self, issue: Issue, ms: int, author: User, to: str, resolution: str = "done"
    ) -> None:
        items: list[Item] = []
        was = issue.status
        if to in DONE and was not in DONE:
            items.append(("resolution", None, resolution))
            issue.resolution = resolution
            issue.done_at = ms
        elif to not in DONE and was in DONE:
            items.append(("resolution", issue.resolution, None))
            issue.resolution = None
            issue.done_at = None
            self._reconsider(issue)
        if was == "todo" and to != "todo" and issue.assignee is None and to not in DONE:
            items.append(("assignee", None, author))
            issue.assignee = author
        items.append(("status", was, to))
        issue.status = to
        if CATEGORY_OF[was] != CATEGORY_OF[to]:
            issue.category_changed = ms
        self._record(issue, ms, author, tuple(items))
        epic = issue.epic
        if epic is not None and to == "progress" and epic.status == "todo":
            self._transition(epic, max(ms, epic.last + SECOND), author, "progress")

    def _move(self, issue: Issue, ms: int, author: User, sprints: list[int], board: Board) -> None:
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

    def _estimate(self, issue: Issue, ms: int, author: User, value: float | None) -> None:
        self._record(issue, ms, author, (("estimate", issue.estimate, value),))
        issue.estimate = value

    def _create_subtasks(self, parent: Issue, before: int, defer: bool) -> None:
        """Break a story down just before it first enters a sprint; maybe leave one for later."""
        pending = [s for s in parent.subtasks if s.created is None]
        if defer and len(pending) > 1:
            parent.deferred = pending.pop()
        for subtask in pending:
            earliest = (parent.created or 0) + 10 * MINUTE
            subtask.created = max(earliest, before - self.rng.randint(5, 120) * MINUTE)
            subtask.created = min(subtask.created, before - SECOND)
            subtask.sprints = list(parent.sprints)
            subtask.last = subtask.created

    def _backlog(self, board: Board, moment: int, limit: int) -> list[Issue]:
        """The first `limit` issues of the ranked backlog that are available at `moment`.

        Finished and planned work piles up at the top of the ranking; a cursor skips it, and
        `_reconsider` moves it back when an issue returns to the backlog, so large boards are not
        rescanned for every pick.
        """
        ranked = board.ranked
        while board.cursor < len(ranked) and self._committed(ranked[board.cursor]):
            board.cursor += 1
        found: list[Issue] = []
        for issue in ranked[board.cursor :]:
            if len(found) >= limit:
                break
            if self._available(issue, moment):
                found.append(issue)
        return found

    def _committed(self, issue: Issue) -> bool:
        return issue.status in DONE or bool(
            issue.sprints and issue.sprints[-1] in self.open_sprints
        )

    def _reconsider(self, issue: Issue) -> None:
        board = self.board_by_id[issue.board]
        board.cursor = min(board.cursor, board.rank_index.get(issue.seq, board.cursor))

    def _available(self, issue: Issue, moment: int) -> bool:
        """In the backlog at `moment`: created, not done, in no open sprint, nothing pending."""
        return (
            issue.created is not None
            and issue.created < moment - 30 * MINUTE
            and not issue.pinned
            and not self._committed(issue)
            and self._family_last(issue) < moment - MINUTE
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
        self, board: Board, sprint: Sprint, previous: Sprint | None, following: Sprint
    ) -> None:
        assert sprint.start is not None
        start = sprint.start
        close = sprint.complete if sprint.complete is not None else SIMULATION_END
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
        for day in range(local_day(start), local_day(close) + 1):
            if not is_weekday(day):
                continue
            lo = max(start, uk_moment(day, WORK_START))
            hi = min(close, uk_moment(day, WORK_END), SIMULATION_END)
            if hi - lo >= 30 * MINUTE:
                days.append((lo, hi))
        return days

    def _plan(self, board: Board, sprint: Sprint, previous: Sprint | None) -> None:
        """Sprint planning just before the start: refine, break down and commit the top of the
        backlog, fewer when much work was carried over."""
        rng, start = self.rng, sprint.start or 0
        planner = self._team(board)[1]
        earliest = (previous.complete or 0) + MINUTE if previous else start - DAY
        plan_lo = max(earliest, start - 50 * MINUTE)
        carried = sum(1 for i in board.members.values() if i.kind != "subtask")
        wanted = max(1, board.per_sprint + rng.randint(-1, 1) - carried // 2)
        chosen = self._backlog(board, plan_lo, wanted)
        step = (start - SECOND - plan_lo) // (len(chosen) + 1)
        for position, issue in enumerate(chosen, start=1):
            moment = plan_lo + position * step
            if issue.estimate is None and rng.random() < 0.85:
                refine_lo = max(issue.last + MINUTE, start - 5 * DAY)
                if refine_lo < plan_lo - MINUTE:
                    when = self._working_time(refine_lo, plan_lo - MINUTE)
                    self._estimate(issue, when, self._team(board)[0], self._points())
            self._create_subtasks(issue, moment, defer=rng.random() < 0.35)
            if self._family_last(issue) < moment:
                self._move(issue, moment, planner, [*issue.sprints, sprint.id], board)

    def _scenarios(
        self, board: Board, sprint: Sprint, day_count: int, committed: int
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
        self, day_count: int, first: int, last: int, kind: str, issue: Issue | None
    ) -> _Event:
        first = min(first, day_count - 1)
        last = max(first, min(last, day_count - 1))
        rng = self.rng
        return _Event(
            rng.randint(first, last), rng.randrange(3), rng.randrange(1 << 30), kind, issue
        )

    def _finish_outside(self, board: Board, sprint: Sprint) -> Issue | None:
        """Someone completes a never-planned backlog issue in the days before the sprint starts."""
        start = sprint.start or 0
        lo, hi = start - 4 * DAY, start - DAY
        for issue in board.ranked[board.cursor :]:
            if (
                not issue.sprints
                and not issue.subtasks
                and (issue.created or start) < lo - DAY
                and self._available(issue, lo)
            ):
                began = self._working_time(lo, hi)
                worker = issue.assignee or self._developer(board)
                self._transition(issue, began, worker, "progress")
                self._transition(issue, began + self.rng.randint(40, 200) * MINUTE, worker, "done")
                issue.pinned = True
                return issue
        return None

    def _scenario(self, board: Board, sprint: Sprint, event: _Event, lo: int, hi: int) -> None:
        rng = self.rng
        team = self._team(board)
        members = [i for i in board.members.values() if i.kind != "subtask" and not i.pinned]
        kind = event.kind
        target: Issue | None = None
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
            target = _pick(rng, [i for i in members if i.status not in DONE])
        elif kind == "reestimate":
            target = _pick(rng, members)
        elif kind == "reopen":
            target = _pick(rng, [i for i in members if i.status in DONE and i.done_at])
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
        moment = max(self._between(lo, hi), self._family_last(target) + rng.randint(1, 20) * MINUTE)
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

    def _progress(self, board: Board, fraction: float, lo: int, hi: int) -> None:
        """One third of a working day: each open member may move one step along the workflow."""
        rng = self.rng
        start_chance = (0.25 + 0.35 * fraction) / 3
        for issue in list(board.members.values()):
            status = issue.status
            if status in DONE or issue.pinned:
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
            elif roll < 0.2 and all(s.status in DONE for s in issue.family()[1:]):
                to = "done"
            else:
                continue
            moment = max(self._between(lo, hi), issue.last + rng.randint(1, 30) * MINUTE)
            if to == "done":
                moment = max(moment, self._family_last(issue) + MINUTE)
            if moment < hi:
                self._transition(issue, moment, issue.assignee or self._developer(board), to)

    def _close(self, board: Board, sprint: Sprint, following: Sprint) -> None:
        """Complete the sprint: most unfinished work moves to the next sprint, keeping the closed
        one in its Sprint field; the rest goes back to the backlog without a changelog entry."""
        rng = self.rng
        closer = self._team(board)[1]
        moment = (sprint.complete or 0) + rng.randint(50, 400)
        for issue in list(board.members.values()):
            if issue.kind == "subtask" or issue.status in DONE or sprint.id not in issue.sprints:
                continue
            if rng.random() < 0.85:
                moment += rng.randint(3, 40)
                self._move(issue, moment, closer, [*issue.sprints, following.id], board)
            else:
                self._reconsider(issue)
        self.open_sprints.discard(sprint.id)

    def _finish(self, board: Board) -> None:
        """Create sub-tasks never broken down in a sprint, and close epics whose work is done."""
        rng = self.rng
        for issue in board.issues:
            parent = issue.parent
            if parent is None or issue.created is not None:
                continue
            lo = max((parent.created or 0) + DAY, self._family_last(parent) + MINUTE)
            issue.created = self._working_time(min(lo, NOW - 2 * MINUTE), NOW - MINUTE)
            issue.last = issue.created
            issue.sprints = list(parent.sprints)
        children: dict[int, list[Issue]] = {}
        for issue in board.issues:
            if issue.epic is not None:
                children.setdefault(issue.epic.seq, []).append(issue)
        for epic in board.epics:
            work = children.get(epic.seq, [])
            if epic.status != "progress" or not work or rng.random() < 0.3:
                continue
            if all(i.status in DONE for i in work):
                lo = max(i.last for i in work) + HOUR
                if lo < SIMULATION_END:
                    moment = self._working_time(lo, SIMULATION_END)
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
            lo = (issue.created or 0) + MINUTE
            if not count or lo >= SIMULATION_END:
                continue
            team = teams[issue.board]
            for moment in sorted(self._working_time(lo, SIMULATION_END) for _ in range(count)):
                roll = rng.random()
                item: Item
                if roll < 0.5:
                    item = ("rank", rng.random() < 0.5)
                elif roll < 0.75:
                    new = rng.choice([p for p in PRIORITIES if p != issue.priority])
                    item = ("priority", issue.priority, new)
                    issue.priority = new
                else:
                    issue.flagged = not issue.flagged
                    item = ("flag", issue.flagged)
                self._record(issue, moment, rng.choice(team), (item,))


def _pick(rng: random.Random, issues: list[Issue]) -> Issue | None:
    return rng.choice(issues) if issues else None


def _phased(summary: str, phase: int) -> str:
    """Benchmarks reuse the demo's summaries; later rounds of the same work say which phase."""
    return summary if phase == 0 else f"{summary} (phase {phase + 1})"
