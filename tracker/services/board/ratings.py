"""The derived ratings of a programme's deliverables, with their reasons and the exceptions a
board looks at first: what `tracker report rag`, the Board pack page and the highlight report
share."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from tracker.metrics.rag import (
    Thresholds,
    better_than,
    derive_checks,
    overall,
    ratings,
    rollup,
    slip_weeks,
)
from tracker.policy import Actor
from tracker.services.board.measures import (
    PERCENTILES,
    BoardData,
    Measures,
    Outcomes,
    _visible_mapping,
    forecasts_until,
    measure,
    read_board_data,
)
from tracker.services.board.period import UK, Period, chosen_period, default_period
from tracker.services.delivery.frames import _programme_frames, _sprints_by_board
from tracker.services.delivery.issues import _read_programme, _scopes
from tracker.services.delivery.sprints import NotFound
from tracker.services.programme.overview import (
    ProgrammeInfo,
    deliverables_frame,
    list_programmes,
)

FORECAST_COLUMNS = ["deliverable_id", "ref", "title", "target", "p50", "p85", "p95"]
FORECAST_COLUMNS += ["slip_weeks", "remaining", "note"]


@dataclass(frozen=True)
class BoardRatings:
    """A programme's derived ratings for one period, as one actor may see them.

    `ratings`: per deliverable and dimension (tracker.metrics.rag.ratings); `overall` per
    deliverable; `programme` the roll-up per dimension and overall; `checks` every rule checked;
    `forecast` per deliverable the target against the 50/85/95% likely dates (UK days) and the
    slip of the 85% date in weeks; `exceptions` what the board should look at first.
    """

    programme: ProgrammeInfo
    period: Period
    thresholds: Thresholds
    deliverables: pd.DataFrame
    measures: Measures
    checks: pd.DataFrame
    ratings: pd.DataFrame
    overall: pd.DataFrame
    programme_ratings: pd.DataFrame
    forecast: pd.DataFrame
    exceptions: pd.DataFrame

    @property
    def as_of(self) -> pd.Timestamp:
        return self.measures.as_of


def find_visible_programme(session: Session, actor: Actor, *, programme_id: int) -> ProgrammeInfo:
    found = next((p for p in list_programmes(session, actor) if p.id == programme_id), None)
    if found is None:
        raise NotFound("no such programme that you can see")
    return found


def forecast_table(
    deliverables: pd.DataFrame, burnup: pd.DataFrame, forecasts: pd.DataFrame
) -> pd.DataFrame:
    """Per deliverable (overview rows): its target, the 50/85/95% likely dates (UK days), the
    weeks the 85% date passes the target (negative: ahead) and the issues left."""
    dates = forecasts.pivot(index="deliverable_id", columns="percentile", values="date")
    notes = forecasts.drop_duplicates("deliverable_id").set_index("deliverable_id")["note"]
    last = burnup.groupby("deliverable_id").tail(1).set_index("deliverable_id")
    ids = deliverables["id"].astype("int64").to_numpy()
    frame = pd.DataFrame(
        {
            "deliverable_id": ids,
            "ref": deliverables["ref"].to_numpy(),
            "title": deliverables["title"].to_numpy(),
            "target": pd.to_datetime(deliverables["target_date"]).to_numpy(),
            **{
                f"p{p}": (dates[p] if p in dates else pd.Series(dtype="datetime64[ns]"))
                .reindex(ids)
                .to_numpy()
                for p in PERCENTILES
            },
            "remaining": (last["scope_issues"] - last["done_issues"])
            .reindex(ids)
            .astype("float64")
            .to_numpy(),
            "note": notes.reindex(ids).fillna("no Jira issues synced").to_numpy(),
        }
    )
    frame["slip_weeks"] = slip_weeks(frame)
    return frame[FORECAST_COLUMNS]


def forecast_against_target(
    session: Session, actor: Actor, *, programme_id: int, now: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Each visible deliverable's forecast against its target (forecast_table), without the
    rest of the pack: what the overview shows beside the target date."""
    programme = find_visible_programme(session, actor, programme_id=programme_id)
    deliverables = deliverables_frame(session, actor, programme_id=programme.id)
    ids = [int(i) for i in deliverables["id"]]
    whole, frames = _programme_frames(session, programme.id, deliverable_ids=ids)
    mapping = _visible_mapping(whole, deliverables)
    until = pd.Timestamp.now(tz="UTC") if now is None else now
    burnup, forecasts = forecasts_until(frames, mapping, until)
    return forecast_table(deliverables, burnup, forecasts)


def _exceptions(
    deliverables: pd.DataFrame, whole: pd.DataFrame, forecast: pd.DataFrame
) -> pd.DataFrame:
    """Declared better than derived, and forecasts past their target, worst first."""
    rows = []
    derived = whole.set_index("deliverable_id")
    declared = deliverables.set_index("id")["rag"].astype("str")
    flagged = better_than(declared, derived["rating"].reindex(declared.index))
    for deliverable_id in declared.index[flagged.to_numpy()]:
        rows.append(
            (
                int(deliverable_id),
                derived.loc[deliverable_id, "ref"],
                "declared better than derived",
                f"declared {declared[deliverable_id]}; "
                f"derived {derived.loc[deliverable_id, 'reason']}",
            )
        )
    late = forecast.loc[(forecast["slip_weeks"] > 0) & (forecast["remaining"] > 0)]
    for row in late.itertuples():
        rows.append(
            (
                int(row.deliverable_id),
                row.ref,
                "forecast past target",
                f"85% likely by {row.p85:%d %b %Y}, target {row.target:%d %b %Y}: "
                f"{row.slip_weeks:.1f} weeks late",
            )
        )
    return pd.DataFrame(rows, columns=["deliverable_id", "ref", "exception", "detail"])


def board_ratings_from(
    session: Session,
    actor: Actor,
    *,
    data: BoardData,
    period: Period,
    thresholds: Thresholds,
    current: bool = True,
    cache: Outcomes | None = None,
) -> BoardRatings:
    """The ratings of one period from data already read (the highlight report rates two)."""
    measures = measure(session, actor, data=data, period=period, current=current, cache=cache)
    checks = derive_checks(measures.inputs, thresholds)
    rated = ratings(measures.inputs, checks=checks)
    whole = overall(rated)
    forecast = forecast_table(data.deliverables, measures.burnup, measures.forecasts)
    return BoardRatings(
        programme=data.programme,
        period=period,
        thresholds=thresholds,
        deliverables=data.deliverables,
        measures=measures,
        checks=checks,
        ratings=rated,
        overall=whole,
        programme_ratings=rollup(rated, whole),
        forecast=forecast,
        exceptions=_exceptions(data.deliverables, whole, forecast),
    )


def programme_period(
    data: BoardData, *, start: date | None, end: date | None, today: date
) -> Period:
    """The period asked for, defaulting to the two weeks up to the latest sprint end."""
    return chosen_period(start, end, default_period(data.sprints(), today))


def default_programme_period(
    session: Session, actor: Actor, *, programme_id: int, today: date
) -> Period:
    """The programme's default period (the two weeks up to its boards' latest sprint end) without
    reading their history: what a note is written for unless dates are given."""
    find_visible_programme(session, actor, programme_id=programme_id)
    read = _read_programme(session, _scopes(session, programme_id, None))
    shown = read.shown
    boards = shown.loc[shown["issue_id"].isin(read.mapping["issue_id"]), "board_id"].unique()
    sprints = _sprints_by_board(session, sorted(int(b) for b in boards))
    return default_period([s for board in sprints.values() for s in board], today)


def board_ratings(
    session: Session,
    actor: Actor,
    *,
    programme_id: int,
    start: date | None = None,
    end: date | None = None,
    now: pd.Timestamp | None = None,
) -> BoardRatings:
    """Every visible deliverable's derived rating per dimension and overall, with the rule, the
    measured value and the threshold behind each, for the period (default: the last two weeks up
    to the latest sprint end). Advisory: the declared RAG is never changed."""
    # here, not at the top: the overview's forecast reads no thresholds (bench/startup.py)
    from tracker.services.board.thresholds import programme_thresholds

    programme = find_visible_programme(session, actor, programme_id=programme_id)
    now = pd.Timestamp.now(tz="UTC") if now is None else now
    thresholds = programme_thresholds(session, actor, programme_id=programme_id)
    data = read_board_data(session, actor, programme=programme, now=now)
    period = programme_period(data, start=start, end=end, today=now.tz_convert(UK).date())
    return board_ratings_from(session, actor, data=data, period=period, thresholds=thresholds)
