"""What the derived ratings are measured on, per deliverable, gathered from the other areas.

The Jira data is read once (`read_board_data`) and measured for any period from it, so the
trend (this period against the last) costs no second read of a programme's history. Each area
answers for its own: the burnup and Monte Carlo forecast (tracker.metrics.rollup and .forecast,
as the burnup page draws them), the sprint reports of the deliverables' boards
(tracker.metrics.sprint_report, as the sprint review counts them), the acceptance criteria
(tracker.services.acceptance) and the assurance gate (tracker.services.assurance). A supplier
contact's pack is measured on what they may see: their deliverables' issues, criteria and gates.

The Jira figures are taken at the period's end. Acceptance and assurance are taken as they stand
when the report is made; for the previous period (the trend) they are read back from the audit
ledger and the accreditations' dates at its end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import and_
from sqlmodel import Session, col, select

from tracker.metrics.forecast import forecast_each
from tracker.metrics.frames import (
    EVENT_COLUMNS,
    ISSUE_COLUMNS,
    Sprint,
    frames_for_sprints,
    mentions,
)
from tracker.metrics.rag import INPUT_COLUMNS
from tracker.metrics.rollup import programme_burnup
from tracker.metrics.sprint_report import sprint_outcomes
from tracker.models import CriterionStatus, Deliverable, DeliverableStage
from tracker.policy import Action, Actor, can
from tracker.services.board.period import UK, Period
from tracker.services.delivery.frames import ProgrammeFrames, _programme_frames
from tracker.services.programme.overview import ProgrammeInfo, deliverables_frame

if TYPE_CHECKING:
    from tracker.services.board.risks import RiskLog, RiskMeasures

# The criteria, assurance, audit and RAID services are imported in the functions reading them:
# the overview's forecast (forecasts_until, through ratings.forecast_against_target) needs none
# of them, and `tracker report overview` is a process of its own (bench/startup.py).

#: closed sprints per board a period needs: the last, and the three before it (the previous one
#: for "two sprints running", all three for the velocity)
SPRINTS_NEEDED = 4
PERCENTILES = (50, 85, 95)
NOT_DONE = ("not_completed", "removed")


@dataclass(frozen=True)
class BoardData:
    """Everything read from the database for one programme as one actor may see it."""

    programme: ProgrammeInfo
    #: tracker.services.programme.overview.deliverables_frame: the visible deliverables
    deliverables: pd.DataFrame
    #: issue_id -> deliverable_id, visible deliverables only
    mapping: pd.DataFrame
    frames: ProgrammeFrames
    #: deliverable_id -> the day its current stage started (actual, else planned)
    stage_starts: pd.Series
    #: the visible criteria now (tracker.services.acceptance.views columns)
    criteria: pd.DataFrame
    #: the ledger's criterion entries: criterion id, when, the status it left it in
    criterion_history: pd.DataFrame
    #: the RAID log, dependencies and decisions needed, as they stand
    risk_log: RiskLog
    read_at: pd.Timestamp

    def sprints(self) -> list[Sprint]:
        return [s for board in self.frames.sprints.values() for s in board]


@dataclass(frozen=True)
class Measures:
    """One period's measures: `inputs` is the frame tracker.metrics.rag rates (INPUT_COLUMNS);
    the rest is what the pack shows beside the ratings."""

    period: Period
    as_of: pd.Timestamp
    inputs: pd.DataFrame
    #: per deliverable and percentile: `date` (UK day, NaT when none) and `note`
    forecasts: pd.DataFrame
    #: per deliverable and day: scope and done, in issues and points
    burnup: pd.DataFrame
    #: per deliverable and closed sprint of its boards: committed, not done, completed (issues)
    sprints: pd.DataFrame
    risks: RiskMeasures


def _stage_starts(session: Session, deliverable_ids: list[int]) -> pd.Series:
    rows = session.exec(
        select(
            Deliverable.id,
            DeliverableStage.actual_start,
            DeliverableStage.planned_start,
        )
        .join(
            DeliverableStage,
            and_(
                DeliverableStage.deliverable_id == Deliverable.id,
                DeliverableStage.stage_id == Deliverable.stage_id,
            ),
        )
        .where(col(Deliverable.id).in_(deliverable_ids))
    ).all()
    return pd.Series(
        {d: actual or planned for d, actual, planned in rows if actual or planned}, dtype=object
    )


def _criteria(
    session: Session, actor: Actor, programme_id: int, ids: Iterable[int]
) -> pd.DataFrame:
    """The criteria the actor may read: the programme's for staff, their deliverables' for a
    supplier contact (never a draft)."""
    from tracker.services.acceptance.views import (
        CRITERIA_COLUMNS,
        criteria_frame,
        programme_criteria,
    )

    if can(actor, Action.read_programme):
        return programme_criteria(session, actor, programme_id=programme_id)
    frames = [
        criteria_frame(session, actor, deliverable_id=deliverable_id) for deliverable_id in ids
    ]
    return (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CRITERIA_COLUMNS)
    )


def _criterion_history(session: Session, criterion_ids: list[int]) -> pd.DataFrame:
    from tracker.models import AuditEntry
    from tracker.services.audit import CRITERION

    rows = session.exec(
        select(AuditEntry.subject_id, AuditEntry.at, AuditEntry.to_status, AuditEntry.seq)
        .where(AuditEntry.subject == CRITERION, col(AuditEntry.subject_id).in_(criterion_ids))
        .order_by(col(AuditEntry.seq))
    ).all()
    frame = pd.DataFrame(rows, columns=["criterion_id", "at", "status", "seq"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def _visible_mapping(mapping: pd.DataFrame, deliverables: pd.DataFrame) -> pd.DataFrame:
    """The programme's issue map limited to these (visible) deliverables."""
    return mapping.loc[mapping["deliverable_id"].isin(deliverables["id"])].reset_index(drop=True)


def forecasts_until(
    frames: ProgrammeFrames, mapping: pd.DataFrame, until: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each deliverable's daily burnup up to `until` and its Monte Carlo forecast, in issues."""
    burnup = programme_burnup(
        frames.issues, frames.events, mapping, frames.done_status_ids, until=until
    ).deliverables
    forecasts = forecast_each(burnup, "deliverable_id", measure="issues", percentiles=PERCENTILES)
    return burnup, forecasts


def read_board_data(
    session: Session, actor: Actor, *, programme: ProgrammeInfo, now: pd.Timestamp
) -> BoardData:
    """One read of everything the pack measures, for the deliverables the actor may see."""
    from tracker.services.board.risks import read_risk_log

    deliverables = deliverables_frame(session, actor, programme_id=programme.id)
    ids = [int(i) for i in deliverables["id"]]
    # the whole map and the visible deliverables' boards' frames, from one read
    whole, frames = _programme_frames(session, programme.id, deliverable_ids=ids)
    criteria = _criteria(session, actor, programme.id, ids)
    return BoardData(
        programme=programme,
        deliverables=deliverables,
        mapping=_visible_mapping(whole, deliverables),
        frames=frames,
        stage_starts=_stage_starts(session, ids),
        criteria=criteria,
        criterion_history=_criterion_history(session, [int(c) for c in criteria["id"]]),
        risk_log=read_risk_log(
            session,
            actor,
            programme_id=programme.id,
            today=now.tz_convert(UK).date(),
            mapping=whole,
        ),
        read_at=now,
    )


def _mapped_frames(data: BoardData, sprints: list[Sprint]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The programme's issues (a row per board showing each) and events narrowed to the
    deliverables' issues that were ever in any of `sprints`, and to the columns the metrics read:
    narrowing once for every board, and leaving the pages' text columns behind, costs less than
    narrowing each board's frames in full. Each issue's outcome in a sprint is its own, so the
    outcomes are the same."""
    issues = data.frames.issues
    mapped = issues["issue_id"].isin(data.mapping["issue_id"]).to_numpy()
    issues = issues.loc[mapped, [*ISSUE_COLUMNS, "board_id"]]
    events = data.frames.events
    events = events.loc[events["issue_id"].isin(issues["issue_id"]).to_numpy(), list(EVENT_COLUMNS)]
    return frames_for_sprints(issues, events, sorted({s.id for s in sprints}))


#: each closed sprint and its issues' outcomes (sprint_outcomes), by board and sprint id
Outcomes = dict[tuple[int, int], tuple[Sprint, pd.DataFrame]]


def _reports(
    data: BoardData, period: Period, as_of: pd.Timestamp, cache: Outcomes
) -> list[tuple[int, Sprint, pd.DataFrame]]:
    """The issues' outcomes in the last SPRINTS_NEEDED sprints closed by `as_of` on each board
    that closed a sprint in the period (a board that closed none gives its deliverables no
    delivery data, so needs none), as the sprint review counts them: each board's history is
    replayed once for its sprints (sprint_outcomes). `cache` keeps them for a second period of
    the same data."""
    wanted = {}
    for board_id, sprints in data.frames.sprints.items():
        closed = sorted(
            (s for s in sprints if s.complete is not None and s.complete <= as_of),
            key=lambda s: s.complete,
        )
        if closed and period.holds(closed[-1].complete):
            wanted[board_id] = closed[-SPRINTS_NEEDED:]
    missing = {
        board_id: [s for s in sprints if (board_id, s.id) not in cache]
        for board_id, sprints in wanted.items()
    }
    if any(missing.values()):
        issues, events = _mapped_frames(data, [s for m in missing.values() for s in m])
        for board_id, sprints in missing.items():
            if not sprints:
                continue
            mine = issues.loc[(issues["board_id"] == board_id).to_numpy()]
            outcomes = sprint_outcomes(
                mine,
                events.loc[events["issue_id"].isin(mine["issue_id"]).to_numpy()],
                sprints,
                data.frames.done_status_ids.get(board_id, frozenset()),
            )
            cache.update({(board_id, s.id): (s, outcomes[s.id]) for s in sprints})
    return [
        (board_id, *cache[(board_id, s.id)])
        for board_id, sprints in wanted.items()
        for s in sprints
    ]


SPRINT_COLUMNS = ["deliverable_id", "board_id", "sprint_id", "sprint", "start", "complete"]
SPRINT_COLUMNS += ["committed", "not_done", "completed"]


def _sprint_outcomes(
    data: BoardData, reports: list[tuple[int, Sprint, pd.DataFrame]]
) -> pd.DataFrame:
    """Per deliverable and sprint, in issues: committed (neither added nor done at the start),
    committed but not completed (left undone or removed), and completed."""
    if not reports:
        empty = pd.DataFrame(columns=SPRINT_COLUMNS)
        return empty.astype({"deliverable_id": "int64", "complete": "datetime64[ns, UTC]"})
    issues = pd.concat(
        [
            outcomes[["outcome", "added", "done_at_start"]].reset_index().assign(report=number)
            for number, (_, _, outcomes) in enumerate(reports)
        ],
        ignore_index=True,
    ).merge(data.mapping, on="issue_id")
    committed = ~issues["added"] & ~issues["done_at_start"]
    flags = pd.DataFrame(
        {
            "report": issues["report"],
            "deliverable_id": issues["deliverable_id"],
            "committed": committed,
            "not_done": committed & issues["outcome"].isin(NOT_DONE),
            "completed": issues["outcome"].eq("completed"),
        }
    )
    counts = flags.groupby(["report", "deliverable_id"]).sum().astype("int64").reset_index()
    sprints = pd.DataFrame(
        [
            (number, board_id, sprint.id, sprint.name, sprint.start, sprint.complete)
            for number, (board_id, sprint, _) in enumerate(reports)
        ],
        columns=["report", "board_id", "sprint_id", "sprint", "start", "complete"],
    )
    frame = counts.merge(sprints, on="report")[SPRINT_COLUMNS]
    return frame.sort_values(["deliverable_id", "complete"], ignore_index=True)


def _delivery(sprints: pd.DataFrame, period: Period, ids: pd.Series) -> pd.DataFrame:
    """The delivery measures per deliverable from its closed sprints (oldest first): sprints
    closed in the period, the share of committed work not completed in the last and the one
    before, and work completed in the last against the mean of the three before it."""
    worked = sprints.loc[(sprints["committed"] > 0) | (sprints["completed"] > 0)].copy()
    by = worked.groupby("deliverable_id")
    worked["pct"] = 100 * worked["not_done"] / worked["committed"].where(worked["committed"] > 0)
    worked["done"] = worked["completed"].astype("float64")
    worked["before"] = by["done"].transform(lambda d: d.shift(1).rolling(3, min_periods=1).mean())
    worked["previous_pct"] = by["pct"].shift(1)
    worked["in_period"] = (
        worked["complete"].dt.tz_convert(UK).dt.date.between(period.start, period.end)
    )
    last = worked.groupby("deliverable_id").tail(1).set_index("deliverable_id")
    found = pd.DataFrame(
        {
            "sprints_closed": worked.groupby("deliverable_id")["in_period"].sum(),
            "not_done_pct": last["pct"],
            "previous_not_done_pct": last["previous_pct"],
            "completed": last["done"],
            "previous_completed": last["before"],
        }
    ).reindex(ids.to_numpy())
    found["sprints_closed"] = found["sprints_closed"].fillna(0).astype("int64")
    return found.astype({c: "float64" for c in found.columns if c != "sprints_closed"}).reset_index(
        drop=True
    )


def _scope(data: BoardData, burnup: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Scope (issues) at the baseline, the current stage's start (or the first sprint started in
    the period when the stage has no date, or started before any issue existed), and now."""
    ids = data.deliverables["id"].astype("int64").to_numpy()
    by_day = burnup.set_index(["deliverable_id", "date"])["scope_issues"]
    started = pd.DataFrame(
        [
            (board_id, pd.Timestamp(s.start.tz_convert(UK).date()))
            for board_id, sprints in data.frames.sprints.items()
            for s in sprints
            if not pd.isna(s.start) and period.holds(s.start)
        ],
        columns=["board_id", "day"],
    )
    boards = (
        data.frames.issues[["issue_id", "board_id"]]
        .merge(data.mapping, on="issue_id")[["deliverable_id", "board_id"]]
        .drop_duplicates()
    )
    first_sprint = boards.merge(started, on="board_id").groupby("deliverable_id")["day"].min()
    stage_start = pd.to_datetime(data.stage_starts.reindex(ids))

    def scope_on(days: pd.Series) -> pd.Series:
        keys = pd.MultiIndex.from_arrays([ids, pd.to_datetime(days.to_numpy())])
        found = by_day.reindex(keys).to_numpy(dtype=float)
        return pd.Series(np.where(found > 0, found, np.nan), index=ids)

    baseline = scope_on(stage_start).fillna(scope_on(first_sprint.reindex(ids)))
    now = burnup.groupby("deliverable_id")["scope_issues"].last().reindex(ids)
    return pd.DataFrame(
        {"scope_baseline": baseline.to_numpy(), "scope_now": now.to_numpy(dtype=float)}
    )


def _acceptance(
    data: BoardData, ids: pd.Series, as_of: pd.Timestamp, *, current: bool
) -> pd.DataFrame:
    """Criteria, those waiting on the supplier past their due date and by how long at most, and
    the rejected ones: now, or (for an earlier period) as the ledger says they stood then."""
    from tracker.services.acceptance.criteria import SUPPLIER_WAITS

    criteria = data.criteria[["id", "deliverable_id", "status", "due"]]
    if not current:
        history = data.criterion_history.loc[data.criterion_history["at"] <= as_of]
        then = history.drop_duplicates("criterion_id", keep="last").set_index("criterion_id")
        criteria = criteria.loc[criteria["id"].isin(then.index)].assign(
            status=lambda f: f["id"].map(then["status"])
        )
    day = (data.read_at if current else as_of).tz_convert(UK).date()
    due = pd.to_datetime(criteria["due"]).dt.date
    late_days = due.map(lambda d: (day - d).days if isinstance(d, date) else np.nan)
    waits = criteria["status"].isin([s.value for s in SUPPLIER_WAITS]) & (late_days > 0)
    flags = pd.DataFrame(
        {
            "deliverable_id": criteria["deliverable_id"].astype("int64"),
            "criteria": 1,
            "waiting_past_due": waits.astype("int64"),
            "days_past_due": late_days.where(waits).astype("float64"),
            "rejected": criteria["status"].eq(CriterionStatus.rejected.value).astype("int64"),
        }
    )
    found = flags.groupby("deliverable_id").agg(
        criteria=("criteria", "sum"),
        waiting_past_due=("waiting_past_due", "sum"),
        days_past_due=("days_past_due", "max"),
        rejected=("rejected", "sum"),
    )
    found = found.reindex(ids.to_numpy())
    counts = ["criteria", "waiting_past_due", "rejected"]
    found[counts] = found[counts].fillna(0).astype("int64")
    return found.reset_index(drop=True)


def _assurance(session: Session, actor: Actor, ids: pd.Series, day: date) -> pd.DataFrame:
    """Blocked and overridden gates, and the days until the soonest expiry of an accreditation
    a handler holds to meet what the deliverable's data needs."""
    from tracker.services.assurance.gates import (
        Decision,
        _holdings,
        _requirements,
        compliance_frame,
        meets,
    )

    gates = compliance_frame(session, actor, today=day)
    gates = gates.loc[gates["deliverable_id"].isin(ids)]
    rules = _requirements(session)
    held = _holdings(session, {int(o) for o in gates["organisation_id"]})
    soonest = []
    for row in gates.itertuples():
        days = []
        for requirement in rules[row.sensitivity]:  # type: ignore[index]
            meeting = [a for a in held[row.organisation_id] if meets(a, requirement, day)]
            if meeting:
                last = max(meeting, key=lambda a: a.expires_on or date.max).expires_on
                if last is not None:
                    days.append((last - day).days)
        soonest.append(min(days) if days else np.nan)
    flags = pd.DataFrame(
        {
            "deliverable_id": gates["deliverable_id"].astype("int64"),
            "gates_blocked": gates["decision"].eq(Decision.blocked.value).astype("int64"),
            "gates_overridden": gates["decision"].eq(Decision.overridden.value).astype("int64"),
            "days_to_expiry": pd.Series(soonest, index=gates.index, dtype="float64"),
        }
    )
    found = flags.groupby("deliverable_id").agg(
        gates_blocked=("gates_blocked", "sum"),
        gates_overridden=("gates_overridden", "sum"),
        days_to_expiry=("days_to_expiry", "min"),
    )
    found = found.reindex(ids.to_numpy())
    found[["gates_blocked", "gates_overridden"]] = (
        found[["gates_blocked", "gates_overridden"]].fillna(0).astype("int64")
    )
    return found.reset_index(drop=True)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.tz_localize("UTC") if len(values) else values


def measure(
    session: Session,
    actor: Actor,
    *,
    data: BoardData,
    period: Period,
    current: bool = True,
    cache: Outcomes | None = None,
) -> Measures:
    """The rating inputs of every visible deliverable for one period (see the module's note on
    which figures are taken when)."""
    from tracker.services.board.risks import risk_measures

    as_of = period.as_of(data.read_at)
    ids = data.deliverables["id"].astype("int64").reset_index(drop=True)
    burnup, forecasts = forecasts_until(data.frames, data.mapping, as_of)
    by_percentile = forecasts.pivot(index="deliverable_id", columns="percentile", values="date")
    last = burnup.groupby("deliverable_id").tail(1).set_index("deliverable_id")
    sprints = _sprint_outcomes(data, _reports(data, period, as_of, {} if cache is None else cache))
    day = (data.read_at if current else as_of).tz_convert(UK).date()
    risks = risk_measures(data.risk_log, data.deliverables[["id", "ref"]], day)
    inputs = pd.concat(
        [
            pd.DataFrame(
                {
                    "deliverable_id": ids,
                    "ref": data.deliverables["ref"].astype("str").reset_index(drop=True),
                    "has_issues": ids.isin(data.mapping["deliverable_id"]),
                    "target": pd.to_datetime(
                        data.deliverables["target_date"].reset_index(drop=True)
                    ).dt.tz_localize("UTC"),
                    "remaining": (last["scope_issues"] - last["done_issues"])
                    .reindex(ids.to_numpy())
                    .astype("float64")
                    .to_numpy(),
                    "p50": _dates(by_percentile.get(50, pd.Series(dtype="datetime64[ns]")))
                    .reindex(ids.to_numpy())
                    .to_numpy(),
                    "p85": _dates(by_percentile.get(85, pd.Series(dtype="datetime64[ns]")))
                    .reindex(ids.to_numpy())
                    .to_numpy(),
                }
            ),
            _scope(data, burnup, period),
            _delivery(sprints, period, ids),
            _acceptance(data, ids, as_of, current=current),
            _assurance(session, actor, ids, day),
            risks.frame,
        ],
        axis=1,
    )
    for column in ("target", "p50", "p85"):
        inputs[column] = pd.to_datetime(inputs[column], utc=True)
    inputs = inputs[list(INPUT_COLUMNS)].astype(
        {c: k for c, k in INPUT_COLUMNS.items() if not k.startswith("datetime")}
    )
    return Measures(period, as_of, inputs, forecasts, burnup, sprints, risks)


def next_sprints(data: BoardData, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per deliverable, the sprint after the period on each of its boards (running at its end,
    else the next to start): name, goal, and the deliverable's issues in it now."""
    rows = []
    issues = data.frames.issues.merge(data.mapping, on="issue_id")
    for board_id, sprints in data.frames.sprints.items():
        upcoming = [s for s in sprints if s.complete is None or s.complete > as_of]
        if not upcoming:
            continue
        sprint = upcoming[0]
        mine = issues.loc[(issues["board_id"] == board_id) & ~issues["is_subtask"]]
        held = mine.loc[mentions(mine["sprint_ids"], sprint.id)]
        for deliverable_id, group in held.groupby("deliverable_id"):
            rows.append(
                (int(deliverable_id), sprint.name, sprint.goal or "", len(group), sprint.state)
            )
    return pd.DataFrame(rows, columns=["deliverable_id", "sprint", "goal", "issues", "state"])
