"""Sprint reviews, velocity and a programme's progress: the metrics over synced Jira, per actor.

Every figure comes from tracker.metrics over the frames of tracker.services.delivery.frames, so the
sprint review page, the burndown page and `tracker report` show the same numbers. Who sees what is
tracker.policy's: staff read whole boards; a supplier contact reviews a sprint only through a
deliverable their organisation supplies, and sees only the issues mapped to such deliverables,
because a council's board also carries other suppliers' work. Velocity and the programme burnup
mix every supplier's work, so they are for staff only.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.errors import Conflict, NotFound, count
from tracker.metrics.burndown import Standing, burndown, guideline, standing
from tracker.metrics.carry_over import carried_to, carry_over
from tracker.metrics.forecast import Measure
from tracker.metrics.frames import Sprint
from tracker.metrics.sprint_report import (
    ReportOptions,
    SprintReport,
    report_from_rows,
    sprint_report,
)
from tracker.metrics.velocity import velocity
from tracker.models import (
    BoardIssue,
    Deliverable,
    JiraBoard,
    JiraIssue,
    JiraSite,
    JiraSprint,
    SyncRun,
)
from tracker.policy import Action, Actor, deliverable_filter, reads_whole_boards, require
from tracker.services.delivery.frames import (
    BoardFrames,
    _board_frames,
    _sprint_frames,
    _sprints_by_board,
    done_column,
)
from tracker.services.delivery.issues import _deliverable_issue_map, _read_chunked, scope_rules
from tracker.services.delivery.stored_burnup import _programme_burnup
from tracker.services.delivery.stored_reports import StoredReport, _stored_reports
from tracker.services.lookups import visible_deliverable
from tracker.services.programme.overview import ProgrammeInfo, list_programmes

BoardKey = str | int
"""A board as commands and pages name it: a site's name (its sprint ids are unique on the site)
or jira_board.id."""


@dataclass(frozen=True)
class BoardRef:
    """A synced board: `id` is jira_board.id, `jira_id` the board's id on its Jira site."""

    id: int
    jira_id: int
    name: str
    site: str
    site_url: str

    @property
    def label(self) -> str:
        return f"{self.name} (board {self.jira_id} on {self.site})"

    def browse_url(self, key: str) -> str:
        """Where the issue opens in Jira, Cloud or Data Center alike."""
        return f"{self.site_url.rstrip('/')}/browse/{key}"


@dataclass(frozen=True)
class DeliverableRef:
    id: int
    ref: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.ref} {self.title}"


@dataclass(frozen=True)
class SprintReview:
    """One sprint's report as a review reads it.

    `issues`: the report's rows with `summary`, `issue_type`, `status` (now), `done_now` (in a
    done column of the board now) and `url` added.
    `carry_over`: the unfinished issues of a closed sprint with `to_sprint` (a sprint's name, or
    "backlog"). `burndown` and `guideline` are tracker.metrics.burndown's frames. With a
    `deliverable`, every figure counts only that deliverable's issues.
    """

    board: BoardRef
    deliverable: DeliverableRef | None
    report: SprintReport
    issues: pd.DataFrame
    carry_over: pd.DataFrame
    burndown: pd.DataFrame
    guideline: pd.DataFrame
    #: how the figures were counted, in words (the report's choices, the done column named)
    choices: Mapping[str, str]
    #: why some figures may not match Jira's, one sentence each (see `_warnings`)
    warnings: list[str] = field(default_factory=list)
    #: for a running sprint: what is left, the days to its end, and whether it is on track
    standing: Standing | None = None

    @property
    def sprint(self) -> Sprint:
        return self.report.sprint


@dataclass(frozen=True)
class ProgrammeProgress:
    """A programme's daily burnup with its forecast, overall and per deliverable.

    `deliverables` is the per-deliverable burnup with `ref` and `title`; `deliverable_forecasts`
    one row per deliverable and percentile; `targets` each deliverable's `ref` and `target_date`
    (None when unset), to set the forecast against. `measure` is "issues" or "points": counts
    are the default because councils' boards estimate on different scales.
    """

    programme: ProgrammeInfo
    measure: Measure
    burnup: pd.DataFrame
    forecast: pd.DataFrame
    deliverables: pd.DataFrame
    deliverable_forecasts: pd.DataFrame
    targets: pd.DataFrame


def _now(now: pd.Timestamp | None) -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC") if now is None else now


def _board_refs(session: Session, board_ids: list[int] | None = None) -> list[BoardRef]:
    query = (
        select(JiraBoard.id, JiraBoard.jira_id, JiraBoard.name, JiraSite.name, JiraSite.url)
        .join(JiraSite, JiraSite.id == JiraBoard.site_id)
        .where(JiraBoard.synced)
        .order_by(JiraSite.name, JiraBoard.jira_id)
    )
    if board_ids is not None:
        query = query.where(JiraBoard.id.in_(board_ids))  # type: ignore[union-attr]
    return [BoardRef(*row) for row in session.execute(query)]


def _deliverable_issues(session: Session, deliverables: list[Deliverable]) -> pd.Index:
    """jira_issue ids mapped to any of these deliverables (sub-tasks follow their parents)."""
    wanted = {d.id for d in deliverables}
    maps = [
        _deliverable_issue_map(session, programme_id, wanted)
        for programme_id in sorted({d.programme_id for d in deliverables})
    ]
    found = pd.Index([], dtype="int64")
    for mapped in maps:
        found = found.union(pd.Index(mapped.loc[mapped["deliverable_id"].isin(wanted), "issue_id"]))
    return found


def _visible_issues(
    session: Session, actor: Actor, deliverable: Deliverable | None
) -> pd.Index | None:
    """The issues the actor may see in a review: None for whole boards (staff, no deliverable),
    else those of the deliverable, or of every deliverable a supplier contact may see."""
    if deliverable is not None:
        return _deliverable_issues(session, [deliverable])
    if reads_whole_boards(actor):
        return None
    visible = list(session.execute(select(Deliverable).where(deliverable_filter(actor))).scalars())
    return _deliverable_issues(session, visible)


def _boards_showing(session: Session, issue_ids: pd.Index) -> list[int]:
    shown = pd.read_sql(select(BoardIssue.board_id, BoardIssue.issue_id), session.connection())
    return sorted(int(b) for b in shown.loc[shown["issue_id"].isin(issue_ids), "board_id"].unique())


def data_version(session: Session, actor: Actor) -> str:
    """What the delivery figures are worked out from, as one key: the end of the latest sync
    run or import, and a digest of the deliverables (references, titles, target dates) and their
    scope rules. Cached figures are keyed on it, so a sync from any process (the CLI included),
    a programme load or a deliverable's new target date is seen at the next page run, not when
    the cache expires."""
    require(actor, Action.read_deliverables)
    latest = session.execute(select(func.max(SyncRun.finished_at))).scalar_one_or_none()
    digest = hashlib.sha256()
    for query in (
        select(
            Deliverable.id,
            Deliverable.programme_id,
            Deliverable.ref,
            Deliverable.title,
            Deliverable.target_date,
        ).order_by(Deliverable.id),
        scope_rules(),
    ):
        for row in session.execute(query):
            digest.update(repr(tuple(row)).encode())
    return f"{'' if latest is None else latest.isoformat()}/{digest.hexdigest()[:16]}"


def review_boards(session: Session, actor: Actor) -> list[BoardRef]:
    """Boards the actor may review whole: every synced board for staff, none for supplier
    contacts (they review through their deliverables)."""
    return _board_refs(session) if reads_whole_boards(actor) else []


def review_deliverables(
    session: Session, actor: Actor, *, programme_id: int
) -> list[DeliverableRef]:
    """The programme's deliverables the actor may see, by reference."""
    rows = session.execute(
        select(Deliverable.id, Deliverable.ref, Deliverable.title)
        .where(Deliverable.programme_id == programme_id, deliverable_filter(actor))
        .order_by(Deliverable.ref)
    )
    return [DeliverableRef(*row) for row in rows]


def deliverable_boards(session: Session, actor: Actor, *, deliverable_id: int) -> list[BoardRef]:
    """The synced boards showing any of the deliverable's issues (its sprints are theirs)."""
    deliverable = visible_deliverable(session, actor, deliverable_id=deliverable_id)
    return _board_refs(
        session, _boards_showing(session, _deliverable_issues(session, [deliverable]))
    )


def _may_see_board(session: Session, actor: Actor, board_id: int) -> bool:
    issues = _visible_issues(session, actor, None)
    return issues is None or board_id in _boards_showing(session, issues)


def board_sprints(session: Session, actor: Actor, *, board_id: int) -> list[Sprint]:
    """The board's sprints: those that have started (closed and active) most recent first, then
    the future ones in their planned order, which have no report until they start."""
    if not _may_see_board(session, actor, board_id):
        raise NotFound("no such board that you can see")
    # jira_frames turns sprint rows into the metrics' Sprint; one conversion for every figure
    sprints = _sprints_by_board(session, [board_id])[board_id]
    started = [s for s in sprints if s.started]
    return started[::-1] + [s for s in sprints if not s.started]


def not_started(sprint: Sprint) -> str:
    """Why a sprint has no report yet, in one sentence."""
    planned = "" if pd.isna(sprint.start) else f" (planned to start {sprint.start:%d %b %Y})"
    return (
        f"{sprint.name} has not started: it is a future sprint{planned}, and Jira gives a sprint "
        "report once it starts"
    )


def _visible_boards(session: Session, actor: Actor) -> list[BoardRef]:
    """The synced boards the actor may see (staff: all; a supplier contact: those showing their
    deliverables' issues), the issues worked out once for all of them."""
    issues = _visible_issues(session, actor, None)
    refs = _board_refs(session)
    if issues is None:
        return refs
    shown = set(_boards_showing(session, issues))
    return [b for b in refs if b.id in shown]


def _site_boards(session: Session, actor: Actor, site: str) -> list[BoardRef]:
    """The synced boards the actor may see on a site; an unknown site names the valid ones."""
    visible = _visible_boards(session, actor)
    on_site = [b for b in visible if b.site == site]
    if not on_site:
        sites = sorted({b.site for b in visible})
        raise NotFound(
            f"no site '{site}' with boards that you can see "
            f"({'sites: ' + ', '.join(sites) if sites else 'none are synced yet'})"
        )
    return on_site


def find_board(session: Session, actor: Actor, *, site: str, jira_board_id: int) -> BoardRef:
    """A synced board by its site's name and its Jira id, if the actor may see it; an unknown
    site or board names the ones there are."""
    boards = _site_boards(session, actor, site)
    found = next((b for b in boards if b.jira_id == jira_board_id), None)
    if found is None:
        listed = ", ".join(f"{b.jira_id} {b.name}" for b in boards)
        raise NotFound(f"no board {jira_board_id} on site '{site}' that you can see ({listed})")
    return found


def find_programme(session: Session, actor: Actor, *, name: str) -> ProgrammeInfo:
    """A programme by its name (ignoring case), among those the actor may see; an unknown name
    lists the programmes there are."""
    wanted = name.strip().casefold()
    programmes = list_programmes(session, actor)
    found = next((p for p in programmes if p.name.casefold() == wanted), None)
    if found is None:
        names = ", ".join(p.name for p in programmes) or "none yet"
        raise NotFound(f"no programme '{name}' that you can see (programmes: {names})")
    return found


SPRINT_COLUMNS = ["board_id", "board", "sprint_id", "sprint", "state", "start", "end", "complete"]


def site_sprints(
    session: Session, actor: Actor, *, site: str, board_jira_id: int | None = None
) -> pd.DataFrame:
    """Every sprint of the site's boards the actor may see (or of one board), newest first
    within each board, with Jira's ids and states: how to find the running sprint's id for
    `tracker report sprint`. Future sprints are listed too, without dates."""
    boards = (
        _site_boards(session, actor, site)
        if board_jira_id is None
        else [find_board(session, actor, site=site, jira_board_id=board_jira_id)]
    )
    found = _sprints_by_board(session, [b.id for b in boards])
    rows = [
        (b.jira_id, b.name, s.id, s.name, s.state, s.start, s.end, s.complete)
        for b in boards
        for s in reversed(found[b.id])
    ]
    frame = pd.DataFrame(rows, columns=SPRINT_COLUMNS)
    for column in ("start", "end", "complete"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _sprint_board(session: Session, board: BoardKey, sprint_jira_id: int) -> int | None:
    query = select(JiraSprint.board_id).where(JiraSprint.jira_id == sprint_jira_id)
    if isinstance(board, str):
        query = query.join(JiraSite, JiraSite.id == JiraSprint.site_id).where(
            JiraSite.name == board
        )
    else:
        query = query.where(JiraSprint.board_id == board)
    return session.execute(query).scalar_one_or_none()


def _restricted(frames: BoardFrames, issue_ids: pd.Index | None) -> BoardFrames:
    if issue_ids is None:
        return frames
    issues = frames.issues.loc[frames.issues["issue_id"].isin(issue_ids)]
    events = frames.events.loc[frames.events["issue_id"].isin(issue_ids)]
    return replace(
        frames, issues=issues.reset_index(drop=True), events=events.reset_index(drop=True)
    )


def _done_column(frames: BoardFrames) -> str:
    """The name of the board's done column; a board mapping no status to any column has none,
    and its sprints are refused rather than reported as nothing completed."""
    if frames.done_column is None:
        raise Conflict(
            "the board has no status mapped to any of its columns, so no issue can be done: "
            "map the statuses to the board's columns in Jira, sync again, and ask again."
        )
    return frames.done_column


def _warnings(report: SprintReport, details: pd.DataFrame, board: BoardRef) -> list[str]:
    """Why some of the report's figures may not match Jira's, one sentence each: a sprint of
    another board that is not synced (Jira reports it there, on that board's issues), and an
    issue whose changelog Jira sent only in part (Data Center truncation)."""
    sprint = report.sprint
    foreign = []
    if sprint.origin_board is not None and sprint.origin_board != board.jira_id:
        foreign.append(
            f"{sprint.name} belongs to board {sprint.origin_board} on {board.site}, where Jira "
            f"reports it, and that board is not synced: these figures count only {board.label}'s "
            f"issues; sync board {sprint.origin_board} to report it under its own board"
        )
    counted = details.loc[details.index.isin(report.issues["issue_id"])]
    partial = counted.loc[counted["changelog_missing"] > 0]
    return foreign + [
        f"{key}: Jira sent its changelog without {count(int(missing), 'history', 'histories')}, "
        "so its outcome and estimates in this sprint may not match Jira's"
        for key, missing in partial.sort_values("key")[["key", "changelog_missing"]].itertuples(
            index=False
        )
    ]


def _measure(frames: BoardFrames) -> Measure:
    """Points on a board with an estimation field; issue counts on one without, whose estimate
    sums would be a row of zeros that looks like a sprint where nothing was done."""
    return "points" if frames.estimate_field else "issues"


def _choices(report: SprintReport, done_column: str) -> dict[str, str]:
    """The report's counting choices, the done rule naming the board's own done column."""
    return {
        **report.choices,
        "done": (
            f"an issue is done when its status is mapped to the board's '{done_column}' column, "
            "the right-most column with statuses"
        ),
    }


def _details(frames: BoardFrames) -> pd.DataFrame:
    """The board's issues as the review shows them, by issue_id (see `_issue_details`)."""
    return frames.issues.drop_duplicates("issue_id").set_index("issue_id")[DETAIL_COLUMNS]


DETAIL_COLUMNS = ["key", "summary", "issue_type", "status_id", "status_name", "changelog_missing"]


def _issue_details(session: Session, issue_ids: pd.Series) -> pd.DataFrame:
    """`_details` of only these issues, read from the database (for a stored report)."""
    query = select(
        JiraIssue.id.label("issue_id"),  # type: ignore[union-attr]
        JiraIssue.key,
        JiraIssue.summary,
        JiraIssue.issue_type,
        JiraIssue.status_id,
        JiraIssue.status_name,
        JiraIssue.changelog_missing,
    )
    frame = _read_chunked(
        session,
        query,
        JiraIssue.id,
        sorted({int(i) for i in issue_ids}),
        {
            "issue_id": "int64",
            "key": "str",
            "summary": "str",
            "issue_type": "str",
            "status_id": "str",
            "status_name": "str",
            "changelog_missing": "int64",
        },
    )
    return frame.set_index("issue_id")


def _review_issues(
    review: SprintReport, details: pd.DataFrame, done_ids: frozenset[str], board: BoardRef
) -> pd.DataFrame:
    issues = review.issues.join(
        details[["summary", "issue_type", "status_name"]].rename(columns={"status_name": "status"}),
        on="issue_id",
    )
    issues["url"] = issues["key"].map(board.browse_url)
    # an issue not completed in the sprint may be done by now (finished after the close): the
    # review says so rather than list a Done issue as unfinished without a word
    done_now = details["status_id"].isin(done_ids)
    issues["done_now"] = issues["issue_id"].map(done_now).fillna(False).astype(bool)
    return issues


def _carried(carried: pd.DataFrame, sprints: list[Sprint], details: pd.DataFrame) -> pd.DataFrame:
    names = {s.id: s.name for s in sprints}
    carried.insert(2, "summary", details["summary"].reindex(carried["issue_id"]).to_numpy())
    carried["to_sprint"] = [
        "backlog" if pd.isna(s) else names.get(int(s), f"sprint {s}")
        for s in carried["to_sprint_id"]
    ]
    return carried


def _board_done(session: Session, board_id: int) -> tuple[frozenset[str], str | None, Measure]:
    """The board's done statuses, done column's name and measure, as its frames give them."""
    columns, field = session.execute(
        select(JiraBoard.columns, JiraBoard.estimate_field_id).where(JiraBoard.id == board_id)
    ).one()
    column = done_column(columns or [])
    done_ids = frozenset(str(s) for s in column["statuses"]) if column else frozenset()
    return done_ids, str(column["name"]) if column else None, "points" if field else "issues"


def _shows_any(session: Session, board_id: int, issue_ids: pd.Index) -> bool:
    shown = session.execute(select(BoardIssue.issue_id).where(BoardIssue.board_id == board_id))
    return bool(pd.Index([i for (i,) in shown]).isin(issue_ids).any())


def _from_stored(stored: StoredReport, sprint: Sprint, visible: pd.Index | None) -> SprintReport:
    """The stored whole-board report narrowed to the visible issues (None: all)."""
    rows = stored.rows
    if visible is not None:
        rows = rows.loc[rows["issue_id"].isin(visible)]
    return report_from_rows(
        sprint,
        rows,
        close=stored.close,
        options=ReportOptions(),
        measure=stored.measure,  # type: ignore[arg-type]
    )


def _stored_steps(stored: StoredReport, report: SprintReport) -> pd.DataFrame:
    steps = stored.steps
    return steps.loc[steps["key"].isin(report.issues["key"])].reset_index(drop=True)


def sprint_report_for(
    session: Session,
    actor: Actor,
    *,
    board: BoardKey,
    sprint_jira_id: int,
    options: ReportOptions | None = None,
    deliverable_id: int | None = None,
    now: pd.Timestamp | None = None,
) -> SprintReview:
    """The review of one sprint: Jira's sprint report, its burndown and guideline, carry-over.

    `board` is a site's name or jira_board.id; `sprint_jira_id` is Jira's sprint id. With
    `deliverable_id`, only that deliverable's issues count. `now` (default: the current time)
    stands in for the close of a sprint that is still running.
    """
    where = f"site '{board}'" if isinstance(board, str) else "that board"
    missing = NotFound(f"no sprint {sprint_jira_id} on {where} that you can see")
    deliverable = (
        None
        if deliverable_id is None
        else visible_deliverable(session, actor, deliverable_id=deliverable_id)
    )
    if isinstance(board, str):
        _site_boards(session, actor, board)  # an unknown site names the valid ones
    board_id = _sprint_board(session, board, sprint_jira_id)
    refs = _board_refs(session, [board_id]) if board_id is not None else []
    if not refs:
        raise missing
    visible = _visible_issues(session, actor, deliverable)
    sprints = _sprints_by_board(session, [board_id])[board_id]  # type: ignore[index]
    sprint = next((s for s in sprints if s.id == sprint_jira_id), None)
    stored = (
        _stored_reports(session, refs[0].id, [sprint], options).get(sprint_jira_id)
        if sprint is not None and sprint.complete is not None
        else None
    )
    ref = (
        None
        if deliverable is None
        else DeliverableRef(deliverable.id, deliverable.ref, deliverable.title)
    )
    if stored is not None and sprint is not None:
        if visible is not None and not _shows_any(session, refs[0].id, visible):
            raise missing
        done_ids, done_column_name, _ = _board_done(session, refs[0].id)
        report = _from_stored(stored, sprint, visible)
        details = _issue_details(session, report.issues["issue_id"])
        steps = burndown(report, _stored_steps(stored, report))
        return SprintReview(
            board=refs[0],
            deliverable=ref,
            report=report,
            issues=_review_issues(report, details, done_ids, refs[0]),
            carry_over=_carried(carried_to(report, stored.destination), sprints, details),
            burndown=steps,
            guideline=guideline(sprint, report.amount(report.committed)),
            choices=_choices(report, done_column_name or ""),
            warnings=_warnings(report, details, refs[0]),
            standing=None,
        )
    # a running sprint reads only the issues that can have been in it (closed ones: stored)
    frames = (
        _sprint_frames(session, refs[0].id, sprint.id)
        if sprint is not None and sprint.complete is None and sprint.started
        else _board_frames(session, refs[0].id)
    )
    if visible is not None:
        if not _shows_any(session, refs[0].id, visible):  # the board, not just this sprint
            raise missing
        frames = _restricted(frames, visible)
    sprint = next(s for s in frames.sprints if s.id == sprint_jira_id)
    if not sprint.started:
        raise Conflict(not_started(sprint))
    done_column = _done_column(frames)
    report = sprint_report(
        frames.issues,
        frames.events,
        sprint,
        frames.done_status_ids,
        options,
        now=_now(now),
        measure=_measure(frames),
    )
    steps = burndown(report)
    ideal = guideline(sprint, report.amount(report.committed))
    running = sprint.complete is None
    details = _details(frames)
    return SprintReview(
        board=refs[0],
        deliverable=ref,
        report=report,
        issues=_review_issues(report, details, frames.done_status_ids, refs[0]),
        carry_over=_carried(carry_over(report, frames.events), frames.sprints, details),
        burndown=steps,
        guideline=ideal,
        choices=_choices(report, done_column),
        warnings=_warnings(report, details, refs[0]),
        standing=standing(
            steps, ideal, sprint, report.amount(report.committed), report.measure, report.close
        )
        if running
        else None,
    )


def board_velocity(
    session: Session,
    actor: Actor,
    *,
    board_id: int,
    options: ReportOptions | None = None,
    window: int = 3,
) -> pd.DataFrame:
    """The totals of each closed sprint of the board, oldest first, with the recent averages
    (tracker.metrics.velocity), built from the same sprint reports as the review, and each
    sprint's `warnings` (a list of sentences, as the review gives them)."""
    require(actor, Action.read_programme)
    refs = _board_refs(session, [board_id])
    if not refs:
        raise NotFound("no such board that you can see")
    sprints = [s for s in _sprints_by_board(session, [board_id])[board_id] if s.complete]
    stored = _stored_reports(session, board_id, sprints, options)
    if sprints and len(stored) == len(sprints):
        reports = [_from_stored(stored[s.id], s, None) for s in sprints]
        details = _issue_details(
            session, pd.concat([r.issues["issue_id"] for r in reports], ignore_index=True)
        )
    else:
        frames = _board_frames(session, board_id)
        _done_column(frames)
        reports = [
            sprint_report(
                frames.issues,
                frames.events,
                s,
                frames.done_status_ids,
                options,
                measure=_measure(frames),
            )
            for s in frames.sprints
            if s.complete is not None
        ]
        details = _details(frames)
    warnings = {report.sprint.id: _warnings(report, details, refs[0]) for report in reports}
    frame = velocity(reports, window)
    frame["warnings"] = frame["sprint_id"].map(warnings)
    return frame


def programme_progress(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    measure: Measure = "issues",
    now: pd.Timestamp | None = None,
) -> ProgrammeProgress:
    """The programme's burnup across all its boards and sites, and per deliverable through the
    deliverable issue map, each with a Monte Carlo forecast (50%, 85% and 95% likely dates)."""
    require(actor, Action.read_programme)
    programme = next((p for p in list_programmes(session, actor) if p.id == programme_id), None)
    if programme is None:
        raise NotFound("no such programme that you can see")
    # the burnup stored at the last sync, import or programme load, when still current
    burnup, (programme_forecast, each_forecast) = _programme_burnup(
        session, programme_id, _now(now), measure
    )
    names = pd.DataFrame(
        [
            (d.id, d.ref, d.title)
            for d in review_deliverables(session, actor, programme_id=programme_id)
        ],
        columns=["deliverable_id", "ref", "title"],
    )
    return ProgrammeProgress(
        programme=programme,
        measure=measure,
        burnup=burnup.programme,
        forecast=programme_forecast,
        deliverables=burnup.deliverables.merge(names, on="deliverable_id"),
        deliverable_forecasts=each_forecast.merge(names, on="deliverable_id"),
        targets=pd.DataFrame(
            session.execute(
                select(Deliverable.ref, Deliverable.target_date).where(
                    Deliverable.programme_id == programme_id, deliverable_filter(actor)
                )
            ).all(),
            columns=["ref", "target_date"],
        ),
    )
