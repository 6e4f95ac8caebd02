"""Each programme's burnup worked out once, when a sync, an import or a programme load changes
what it counts.

The programme burnup maps every issue of the programme's sites to its deliverables (labels and
components need every issue's lists) and replays the status and estimate history of every board
the programme reaches: about a second on a 20,000-issue programme, for figures that change only
when Jira data or the deliverables' scope rules do. So the site's sync (after all its boards and
JQL scopes), the import of a site, and the programme file's load call `_store_burnups`, which
keeps the daily counts up to the last change, overall and per deliverable, and the forecasts of
that day for each measure (tracker.models.StoredBurnup). `programme_progress` reads them back,
carried on to today (tracker.metrics.rollup.extend_burnup), and works out live whatever is not
stored, with the same functions (tests/services/test_stored_burnup.py holds the two equal).

A stored burnup is read only while its inputs are the database's: every finished sync run or
import of each site the programme's scopes name (a board's data commits with its run), the
scope rules themselves, their JQL matches, and `RULES_VERSION`. Anything else (a sync since, a
scope edited, a rule changed) makes the page work the figures out live until the next store:
slower, never stale. The inputs are read before the data they describe, so data written while
a store works can only make its row look older than it is.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlmodel import Session

from tracker.db import upsert
from tracker.metrics.forecast import Measure, forecast, forecast_each
from tracker.metrics.rollup import MEASURES, ProgrammeBurnup, extend_burnup, programme_burnup
from tracker.models import (
    Deliverable,
    DeliverableJqlMatch,
    DeliverableScope,
    ScopeKind,
    StoredBurnup,
    SyncRun,
)
from tracker.services.delivery.frames import _programme_frames
from tracker.services.delivery.issues import scope_rules

#: Bump when a rule of tracker.metrics.rollup or forecast changes what a programme's burnup or
#: forecast says: every stored burnup is then read as stale until worked out again.
RULES_VERSION = 1

#: the changelog fields the programme burnup replays (tracker.metrics.rollup)
BURNUP_FIELDS = ("status", "estimate")

#: the first key of the advisory lock a programme's store takes on PostgreSQL ("burn"); the
#: second is the programme's id (tracker.jobs' locks use another namespace)
LOCK_NAMESPACE = 0x6275726E

MEASURE_NAMES: tuple[Measure, ...] = ("issues", "points")
INTEGER_MEASURES = frozenset({"scope_issues", "done_issues"})


def _inputs(session: Session, programme_id: int) -> dict[str, Any]:
    """What a programme's burnup is worked out from, as JSON compares it: the scope rules, each
    of their sites' finished runs (count, latest id and end), their JQL matches, the rules."""
    scopes = session.execute(scope_rules(programme_id)).all()
    sites = sorted({int(site) for _, _, site, _, _ in scopes})
    runs = session.execute(
        select(SyncRun.site_id, func.count(), func.max(SyncRun.id), func.max(SyncRun.finished_at))
        .where(SyncRun.site_id.in_(sites), SyncRun.finished_at.is_not(None))  # type: ignore[attr-defined, union-attr]
        .group_by(SyncRun.site_id)
        .order_by(SyncRun.site_id)
    ).all()
    jql = [int(i) for i, _, _, kind, _ in scopes if str(kind) == ScopeKind.jql.value]
    matches = session.execute(
        select(func.count(), func.max(DeliverableJqlMatch.id)).where(
            DeliverableJqlMatch.scope_id.in_(jql)  # type: ignore[attr-defined]
        )
    ).one()
    return {
        "rules": RULES_VERSION,
        "scopes": [[int(i), int(d), int(s), str(k), str(v)] for i, d, s, k, v in scopes],
        "runs": [
            [int(site), int(n), int(last), None if end is None else pd.Timestamp(end).isoformat()]
            for site, n, last, end in runs
        ],
        "jql": [int(matches[0]), None if matches[1] is None else int(matches[1])],
    }


def _live_burnup(
    session: Session, programme_id: int, until: pd.Timestamp | None
) -> ProgrammeBurnup:
    """The programme's burnup worked out from the synced data (`until` None: to the last change)."""
    # sprint changes move no burnup: scope and done come from creation, status and estimates
    mapping, frames = _programme_frames(session, programme_id, BURNUP_FIELDS, lean=True)
    return programme_burnup(
        frames.issues, frames.events, mapping, frames.done_status_ids, until=until
    )


def _columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    return {m: frame[m].astype(int if m in INTEGER_MEASURES else float).tolist() for m in MEASURES}


def _measures(values: Mapping[str, list[Any]]) -> dict[str, np.ndarray]:
    return {
        m: np.array(values[m], dtype="int64" if m in INTEGER_MEASURES else "float64")
        for m in MEASURES
    }


def _burnup_payload(burnup: ProgrammeBurnup) -> dict[str, Any]:
    """The burnup's frames as columns: its days as the first and how many (every deliverable
    has a row for each day, in deliverable order)."""
    dates = burnup.programme["date"]
    each = burnup.deliverables
    return {
        "first": int(pd.Timestamp(dates.iloc[0]).value),
        "days": len(dates),
        "programme": _columns(burnup.programme),
        "deliverable_ids": [int(d) for d in each["deliverable_id"].unique()],
        "deliverables": _columns(each),
    }


def _read_burnup(payload: Mapping[str, Any]) -> ProgrammeBurnup:
    days = pd.date_range(
        pd.Timestamp(int(payload["first"])), periods=int(payload["days"]), freq="D", name="date"
    )
    ids = np.array(payload["deliverable_ids"], dtype="int64")
    return ProgrammeBurnup(
        programme=pd.DataFrame({"date": days, **_measures(payload["programme"])}),
        deliverables=pd.DataFrame(
            {
                "deliverable_id": np.repeat(ids, len(days)),
                "date": np.tile(days.to_numpy(), len(ids)),
                **_measures(payload["deliverables"]),
            }
        ),
    )


def _frame_payload(frame: pd.DataFrame) -> list[list[Any]]:
    """A small frame (a forecast) as [name, dtype, values] columns, in order (PostgreSQL's JSONB
    keeps no key order); dates as integers of their unit and NaN as null, so it reads back the
    very frame."""
    columns = []
    for name in frame.columns:
        values = frame[name]
        if values.dtype.kind == "M":
            listed: list[Any] = values.to_numpy().astype("int64").tolist()
        elif values.dtype.kind == "f":
            listed = [None if np.isnan(v) else float(v) for v in values.to_numpy()]
        else:
            listed = values.tolist()
        columns.append([str(name), str(values.dtype), listed])
    return columns


def _read_frame(payload: list[list[Any]]) -> pd.DataFrame:
    columns = {}
    for name, dtype, values in payload:
        if dtype.startswith("datetime64"):
            columns[name] = pd.Series(np.array(values, dtype="int64").view(dtype), dtype=dtype)
        elif dtype.startswith("float"):
            columns[name] = pd.Series(np.array(values, dtype=dtype), dtype=dtype)
        else:
            columns[name] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(columns)


def _forecasts(burnup: ProgrammeBurnup, measure: Measure) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The programme's forecast and each deliverable's (by deliverable_id), as the page shows
    them: one function for the live figures and the stored ones."""
    return (
        forecast(burnup.programme, measure=measure),
        forecast_each(burnup.deliverables, "deliverable_id", measure=measure),
    )


def _store_burnup(session: Session, programme_id: int, now: datetime) -> bool:
    """Work out and keep the programme's burnup unless the kept one's inputs are still the
    database's; True when it was worked out. Called in the transaction that changed them.

    Two stores of one programme take turns (two sites' syncs ending together, on PostgreSQL;
    SQLite's take turns on the sync's write lock), so the later one reads the runs both
    finished and the row the earlier one kept: the row left is the newest, not the last
    committed."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": LOCK_NAMESPACE, "key": programme_id},
        )
    inputs = _inputs(session, programme_id)  # before the data: see the module's docstring
    held = session.execute(
        select(StoredBurnup.inputs).where(StoredBurnup.programme_id == programme_id)
    ).scalar_one_or_none()
    if held == inputs:
        return False
    burnup = _live_burnup(session, programme_id, None)
    payload: dict[str, Any] = {}
    # an empty burnup (no issue mapped yet) is cheap to work out live: nothing is kept for it
    if not burnup.programme.empty and not burnup.deliverables.empty:
        today = extend_burnup(burnup, pd.Timestamp(now).tz_convert("UTC"))
        payload = {"burnup": _burnup_payload(burnup)}
        if today is not None:
            payload["forecast_day"] = int(pd.Timestamp(today.programme["date"].iloc[-1]).value)
            payload["forecasts"] = {
                measure: [_frame_payload(f) for f in _forecasts(today, measure)]
                for measure in MEASURE_NAMES
            }
    # an upsert: two sites' syncs may store the programme they share at once
    row = {"programme_id": programme_id, "inputs": inputs, "computed_at": now, "burnup": payload}
    upsert(session, StoredBurnup, [row], ["programme_id"])
    return True


def _store_burnups(session: Session, site_id: int, now: datetime) -> int:
    """`_store_burnup` of every programme whose scope rules name the site; how many were
    worked out."""
    programmes = session.execute(
        select(Deliverable.programme_id)
        .join(DeliverableScope, DeliverableScope.deliverable_id == Deliverable.id)
        .where(DeliverableScope.site_id == site_id)
        .distinct()
        .order_by(Deliverable.programme_id)
    ).scalars()
    return sum(_store_burnup(session, int(p), now) for p in list(programmes))


def _programme_burnup(
    session: Session, programme_id: int, until: pd.Timestamp, measure: Measure
) -> tuple[ProgrammeBurnup, tuple[pd.DataFrame, pd.DataFrame]]:
    """The programme's burnup to `until` and its forecasts in `measure`: the stored ones when
    their inputs are still the database's, else worked out live (the same frames)."""
    inputs = _inputs(session, programme_id)
    row = session.execute(
        select(StoredBurnup.inputs, StoredBurnup.burnup).where(
            StoredBurnup.programme_id == programme_id
        )
    ).one_or_none()
    stored = None
    if row is not None and row[0] == inputs and row[1].get("burnup"):
        stored = extend_burnup(_read_burnup(row[1]["burnup"]), until)
    if stored is None:
        burnup = _live_burnup(session, programme_id, until)
        return burnup, _forecasts(burnup, measure)
    payload = row[1]  # type: ignore[index]
    day = int(pd.Timestamp(stored.programme["date"].iloc[-1]).value)
    if payload.get("forecast_day") == day:
        kept = payload["forecasts"][measure]
        return stored, (_read_frame(kept[0]), _read_frame(kept[1]))
    return stored, _forecasts(stored, measure)
