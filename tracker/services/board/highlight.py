"""The highlight report of one period: per deliverable the declared and derived rating of each
dimension with this period against the last, the owner's summary and next-period plan, the work
done and next, and what moved in acceptance and assurance; for the programme the same rolled up,
exceptions first.

A report is a plain JSON-able document (`content`), built once from the data; everything shown
or exported (tracker.services.board.exports) is drawn from that document alone, which is what lets
a published report (tracker.services.board.publish) stay byte-identical whatever changes later.
"""

from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from tracker.metrics.rag import OVERALL, Rating, better_than, rollup, trend
from tracker.models import (
    AssuranceOverride,
    AuditEntry,
    Deliverable,
    DeliverableStatusChange,
    Organisation,
    Stage,
)
from tracker.policy import Action, Actor, can, deliverable_filter
from tracker.services.assurance.gates import compliance_frame
from tracker.services.audit import CRITERION
from tracker.services.board.measures import next_sprints, read_board_data
from tracker.services.board.notes import period_notes
from tracker.services.board.period import UK, Period
from tracker.services.board.ratings import (
    BoardRatings,
    board_ratings_from,
    find_visible_programme,
    programme_period,
)
from tracker.services.board.risks import RiskMeasures
from tracker.services.board.thresholds import programme_thresholds

FORMAT = 1
#: weeks of burnup kept for a deliverable's chart in the pack
BURNUP_WEEKS = 26


def _day(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _instant(value: pd.Timestamp) -> str:
    return value.tz_convert("UTC").isoformat(timespec="seconds").replace("+00:00", "Z")


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


def _in_period(at: pd.Series, period: Period) -> pd.Series:
    days = pd.to_datetime(at, utc=True).dt.tz_convert(UK).dt.date
    return (days >= period.start) & (days <= period.end)


def _ratings_rows(
    now: BoardRatings, before: BoardRatings, notes: pd.DataFrame
) -> dict[int, list[dict[str, Any]]]:
    """Per deliverable: one row per dimension and one for the overall, each with the declared
    and derived rating, the reason, last period's derived rating and the trend."""
    keys = ["deliverable_id", "dimension"]
    overall_now = now.overall.assign(dimension=OVERALL, counted=True)
    overall_before = before.overall.assign(dimension=OVERALL)
    rows = pd.concat([now.ratings, overall_now], ignore_index=True).merge(
        pd.concat([before.ratings, overall_before])[[*keys, "rating"]].rename(
            columns={"rating": "previous"}
        ),
        on=keys,
        how="left",
    )
    declared_by = notes.set_index("deliverable_id")["declared"].to_dict()
    declared_rag = now.deliverables.set_index("id")["rag"].astype("str").to_dict()
    rows["declared"] = [
        declared_rag.get(d) if dimension == OVERALL else declared_by.get(d, {}).get(dimension)
        for d, dimension in zip(rows["deliverable_id"], rows["dimension"], strict=True)
    ]
    rows["trend"] = trend(rows["previous"], rows["rating"])
    rows["declared_better"] = better_than(rows["declared"], rows["rating"])
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows.itertuples():
        found.setdefault(int(row.deliverable_id), []).append(
            {
                "dimension": row.dimension,
                "declared": row.declared if isinstance(row.declared, str) else None,
                "derived": row.rating,
                "reason": row.reason,
                "counted": bool(row.counted),
                "previous": row.previous if isinstance(row.previous, str) else None,
                "trend": row.trend,
                "declared_better": bool(row.declared_better),
            }
        )
    return found


def _programme_rows(now: pd.DataFrame, before: pd.DataFrame) -> list[dict[str, Any]]:
    """The programme's roll-up (tracker.metrics.rag.rollup) against last period's."""
    rows = now.assign(previous=now["dimension"].map(before.set_index("dimension")["rating"]))
    rows["trend"] = trend(rows["previous"], rows["rating"])
    return [
        {
            "dimension": r.dimension,
            "derived": r.rating,
            "reason": r.reason,
            "previous": r.previous if isinstance(r.previous, str) else None,
            "trend": r.trend,
        }
        for r in rows.itertuples()
    ]


def _stage_changes(session: Session, ids: list[int], period: Period) -> pd.DataFrame:
    """Moves from one stage to another recorded in the period."""
    rows = session.exec(
        select(
            DeliverableStatusChange.deliverable_id,
            DeliverableStatusChange.at,
            DeliverableStatusChange.from_stage_id,
            DeliverableStatusChange.to_stage_id,
        ).where(col(DeliverableStatusChange.deliverable_id).in_(ids))
    ).all()
    frame = pd.DataFrame(rows, columns=["deliverable_id", "at", "from_stage", "to_stage"])
    return frame.loc[_in_period(frame["at"], period) & (frame["from_stage"] != frame["to_stage"])]


def _acceptance_moves(session: Session, criteria: pd.DataFrame, period: Period) -> pd.DataFrame:
    codes = criteria.set_index("id")["code"]
    rows = session.exec(
        select(
            AuditEntry.deliverable_id,
            AuditEntry.at,
            AuditEntry.subject_id,
            AuditEntry.action,
            AuditEntry.from_status,
            AuditEntry.to_status,
        )
        .where(
            AuditEntry.subject == CRITERION,
            col(AuditEntry.subject_id).in_([int(i) for i in codes.index]),
        )
        .order_by(col(AuditEntry.seq))
    ).all()
    frame = pd.DataFrame(
        rows, columns=["deliverable_id", "at", "criterion_id", "action", "from_status", "to"]
    )
    frame = frame.loc[_in_period(frame["at"], period)]
    return frame.assign(code=frame["criterion_id"].map(codes))


def _override_moves(session: Session, ids: list[int], period: Period) -> list[dict[str, Any]]:
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    found = []
    for o in session.exec(
        select(AssuranceOverride).where(col(AssuranceOverride.deliverable_id).in_(ids))
    ):
        for what, at in (("override recorded", o.at), ("override revoked", o.revoked_at)):
            if at is not None and _in_period(pd.Series([at]), period).iloc[0]:
                found.append(
                    {
                        "deliverable_id": o.deliverable_id,
                        "at": _instant(pd.Timestamp(at)),
                        "organisation_id": o.organisation_id,
                        "event": f"{what} for {orgs.get(o.organisation_id, '')}: {o.reason}",
                    }
                )
    return sorted(found, key=lambda m: (m["at"], m["event"]))


def _gates(session: Session, actor: Actor, ids: list[int], now: pd.Timestamp) -> list[dict]:
    """Each charity or supplier handling a deliverable, against what its data needs, today."""
    gates = compliance_frame(session, actor, today=now.tz_convert(UK).date())
    return [
        {
            "deliverable_id": int(g.deliverable_id),
            "organisation_id": int(g.organisation_id),
            "organisation": g.organisation,
            "relationship": g.relationship,
            "decision": g.decision,
            "missing": g.missing,
            "expiring": g.expiring,
        }
        for g in gates.loc[gates["deliverable_id"].isin(ids)].itertuples()
    ]


def _texts(frame: pd.DataFrame, deliverable_id: int | None) -> list[str]:
    """The texts of one deliverable's rows, or (None) of the programme's own."""
    rows = (
        frame["deliverable_id"].isna()
        if deliverable_id is None
        else frame["deliverable_id"].eq(deliverable_id)
    )
    return [str(t) for t in frame.loc[rows.fillna(False).astype(bool), "text"]]


def _risks(risks: RiskMeasures, deliverable_id: int | None) -> dict[str, list[str]]:
    """Top risks and the decisions needed, of a deliverable or (None) of the whole programme."""
    return {
        "top_risks": _texts(risks.top_risks, deliverable_id),
        "decisions": _texts(risks.decisions, deliverable_id),
    }


def _burnup(burnup: pd.DataFrame, deliverable_id: int) -> list[dict[str, Any]]:
    mine = burnup.loc[burnup["deliverable_id"] == deliverable_id]
    if mine.empty:
        return []
    weekly = mine.iloc[::-7].iloc[:BURNUP_WEEKS].iloc[::-1]
    return [
        {"date": _day(r.date), "scope": int(r.scope_issues), "done": int(r.done_issues)}
        for r in weekly.itertuples()
    ]


def build_report(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    start: date | None = None,
    end: date | None = None,
    now: pd.Timestamp | None = None,
) -> dict[str, Any]:
    """The highlight report for the period (default: the last two weeks up to the latest sprint
    end) as the actor may see it: a JSON-able document (see the module's note)."""
    programme = find_visible_programme(session, actor, programme_id=programme_id)
    now = pd.Timestamp.now(tz="UTC") if now is None else now
    thresholds = programme_thresholds(session, actor, programme_id=programme_id)
    data = read_board_data(session, actor, programme=programme, now=now)
    period = programme_period(data, start=start, end=end, today=now.tz_convert(UK).date())
    cache: dict = {}
    current = board_ratings_from(
        session, actor, data=data, period=period, thresholds=thresholds, cache=cache
    )
    before = board_ratings_from(
        session,
        actor,
        data=data,
        period=period.previous,
        thresholds=thresholds,
        current=False,
        cache=cache,
    )
    notes = period_notes(session, actor, programme_id=programme_id, period=period)
    ids = [int(i) for i in data.deliverables["id"]]
    rows = _ratings_rows(current, before, notes)
    checks = current.checks
    forecast = current.forecast.set_index("deliverable_id")
    stage_by_id = dict(
        session.exec(select(Stage.id, Stage.name).where(Stage.programme_id == programme_id)).all()
    )
    changes = _stage_changes(session, ids, period)
    moves = _acceptance_moves(session, data.criteria, period)
    overrides = _override_moves(session, ids, period)
    upcoming = next_sprints(data, current.as_of)
    sprints = current.measures.sprints
    gates = _gates(session, actor, ids, now)
    note_by = notes.set_index("deliverable_id")
    risks = current.measures.risks
    deliverables = []
    for d in data.deliverables.itertuples():
        did = int(d.id)
        f = forecast.loc[did]
        closed = sprints.loc[
            (sprints["deliverable_id"] == did) & sprints["complete"].map(period.holds)
        ]
        mine_checks = checks.loc[checks["deliverable_id"] == did]
        deliverables.append(
            {
                "id": did,
                "ref": d.ref,
                "title": d.title,
                "stage": d.stage,
                "owner": d.owner,
                "supplier": d.supplier if isinstance(d.supplier, str) else None,
                "target_date": _day(d.target_date),
                "declared_rag": str(d.rag),
                "declared_reason": d.rag_reason if isinstance(d.rag_reason, str) else None,
                "forecast": {
                    "p50": _day(f["p50"]),
                    "p85": _day(f["p85"]),
                    "p95": _day(f["p95"]),
                    "slip_weeks": _number(f["slip_weeks"]),
                    "remaining": _number(f["remaining"]),
                    "note": f["note"],
                },
                "ratings": rows.get(did, []),
                "checks": [
                    {
                        "dimension": c.dimension,
                        "rule": c.rule,
                        "rating": c.rating,
                        "measured": c.measured,
                        "threshold": c.threshold,
                        "fired": bool(c.fired),
                    }
                    for c in mine_checks.itertuples()
                ],
                "summary": note_by.loc[did, "summary"] if did in note_by.index else "",
                "next_period": note_by.loc[did, "next_period"] if did in note_by.index else "",
                "work_done": {
                    "sprints": [
                        {
                            "sprint": s.sprint,
                            "closed": _day(s.complete.tz_convert(UK)),
                            "committed": int(s.committed),
                            "completed": int(s.completed),
                            "not_done": int(s.not_done),
                        }
                        for s in closed.itertuples()
                    ],
                    "stage_changes": [
                        {
                            "at": _instant(pd.Timestamp(c.at)),
                            "from": stage_by_id.get(c.from_stage),
                            "to": stage_by_id.get(c.to_stage),
                        }
                        for c in changes.loc[changes["deliverable_id"] == did].itertuples()
                    ],
                },
                "work_next": [
                    {"sprint": u.sprint, "goal": u.goal, "issues": int(u.issues), "state": u.state}
                    for u in upcoming.loc[upcoming["deliverable_id"] == did].itertuples()
                ],
                "acceptance": [
                    {
                        "at": _instant(pd.Timestamp(m.at)),
                        "code": m.code,
                        "action": m.action,
                        "from": m.from_status if isinstance(m.from_status, str) else None,
                        "to": m.to,
                    }
                    for m in moves.loc[moves["deliverable_id"] == did].itertuples()
                ],
                "assurance": {
                    "gates": [g for g in gates if g["deliverable_id"] == did],
                    "movements": [o for o in overrides if o["deliverable_id"] == did],
                },
                "risks": _risks(risks, did),
                "burnup": _burnup(current.measures.burnup, did),
            }
        )
    return {
        "format": FORMAT,
        "programme": {"id": programme.id, "name": programme.name},
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "previous_period": {
            "start": period.previous.start.isoformat(),
            "end": period.previous.end.isoformat(),
        },
        "as_of": _instant(current.as_of),
        "made_at": _instant(now),
        "thresholds": thresholds.as_dict(),
        "programme_risks": _risks(risks, None),
        "programme_ratings": _programme_rows(current.programme_ratings, before.programme_ratings),
        "exceptions": [
            {
                "deliverable_id": int(e.deliverable_id),
                "ref": e.ref,
                "exception": e.exception,
                "detail": e.detail,
            }
            for e in current.exceptions.itertuples()
        ]
        + _declared_exceptions(deliverables),
        "deliverables": deliverables,
    }


def _declared_exceptions(deliverables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each dimension an owner declared better than the data derives (the overall is among the
    exceptions already, from the deliverable's declared RAG)."""
    return [
        {
            "deliverable_id": d["id"],
            "ref": d["ref"],
            "exception": "declared better than derived",
            "detail": f"{r['dimension']} declared {r['declared']}; derived {r['reason']}",
        }
        for d in deliverables
        for r in d["ratings"]
        if r["declared_better"] and r["dimension"] != OVERALL
    ]


def for_viewer(session: Session, actor: Actor, *, content: dict[str, Any]) -> dict[str, Any]:
    """A report document as the actor may read it: whole for staff; for a supplier contact only
    the deliverables they may see now, their own organisation's gates, and the programme's
    roll-up and exceptions recomputed from those rows alone."""
    if can(actor, Action.read_programme):
        return content
    visible = set(
        session.exec(
            select(Deliverable.id).where(
                Deliverable.programme_id == content["programme"]["id"], deliverable_filter(actor)
            )
        )
    )
    mine = [
        {
            **d,
            "assurance": {
                part: [
                    g for g in d["assurance"][part] if g["organisation_id"] == actor.organisation_id
                ]
                for part in ("gates", "movements")
            },
        }
        for d in content["deliverables"]
        if d["id"] in visible
    ]
    rated = pd.DataFrame(
        [
            {
                "deliverable_id": d["id"],
                "ref": d["ref"],
                "dimension": r["dimension"],
                "rating": r["derived"],
                "previous": r["previous"] or Rating.no_data.value,
                "counted": r["counted"],
            }
            for d in mine
            for r in d["ratings"]
            if r["dimension"] != OVERALL
        ],
        columns=["deliverable_id", "ref", "dimension", "rating", "previous", "counted"],
    )
    before = rated.drop(columns=["rating"]).rename(columns={"previous": "rating"})
    return {
        **content,
        "deliverables": mine,
        "programme_ratings": _programme_rows(rollup(rated), rollup(before)),
        "exceptions": [e for e in content["exceptions"] if e["deliverable_id"] in visible],
    }
