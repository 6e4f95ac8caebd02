"""The programme burnup reads only status and estimate changes (sprint changes are most of a
programme's changelog and move no burnup) and only the issue columns it counts with (not the
lists and texts the pages show): its figures and forecasts are those it gives reading every state
change and every column. Each reads live: the burnup stored at the demo's load is dropped first
(tests/services/test_stored_burnup.py holds the stored one to the live one)."""

import pandas as pd
import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session

from tracker.metrics.forecast import forecast
from tracker.metrics.frames import STATE_FIELDS
from tracker.models import StoredBurnup
from tracker.policy import OPERATOR
from tracker.services.delivery import frames, stored_burnup
from tracker.services.delivery.sprints import programme_progress

pytestmark = pytest.mark.db

NOW = pd.Timestamp("2026-11-27 15:00", tz="UTC")


@pytest.mark.parametrize("measure", ["issues", "points"])
def test_the_burnup_is_the_same_without_sprint_changes(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch, measure: str
) -> None:
    with Session(demo_engine) as session:
        session.execute(delete(StoredBurnup))
        narrow = programme_progress(session, OPERATOR, programme_id=1, measure=measure, now=NOW)  # type: ignore[arg-type]
        monkeypatch.setattr(stored_burnup, "BURNUP_FIELDS", STATE_FIELDS)
        every = programme_progress(session, OPERATOR, programme_id=1, measure=measure, now=NOW)  # type: ignore[arg-type]
    assert len(narrow.burnup) > 30
    for name in ("burnup", "forecast", "deliverables", "deliverable_forecasts", "targets"):
        pd.testing.assert_frame_equal(getattr(narrow, name), getattr(every, name), obj=name)


@pytest.mark.parametrize("measure", ["issues", "points"])
def test_the_burnup_is_the_same_from_the_lean_issue_read(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch, measure: str
) -> None:
    with Session(demo_engine) as session:
        session.execute(delete(StoredBurnup))
        lean = programme_progress(session, OPERATOR, programme_id=1, measure=measure, now=NOW)  # type: ignore[arg-type]
        full = frames._programme_frames

        def every_column(*args: object, **kwargs: object) -> frames.ProgrammeFrames:
            return full(*args, **{**kwargs, "lean": False})  # type: ignore[arg-type]

        monkeypatch.setattr(stored_burnup, "_programme_frames", every_column)
        before = programme_progress(session, OPERATOR, programme_id=1, measure=measure, now=NOW)  # type: ignore[arg-type]
    assert len(lean.burnup) > 30
    for name in ("burnup", "forecast", "deliverables", "deliverable_forecasts", "targets"):
        pd.testing.assert_frame_equal(getattr(lean, name), getattr(before, name), obj=name)


def test_the_lean_issue_read_is_the_full_reads_columns(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        session.execute(delete(StoredBurnup))
        lean = frames._programme_frames(session, 1, lean=True)[1].issues
        every = frames._programme_frames(session, 1)[1].issues
    assert lean["parent_id"].notna().any() and len(lean) > 100
    pd.testing.assert_frame_equal(lean, every[frames.LEAN_COLUMNS])


def test_each_deliverable_is_forecast_as_forecast_gives_it_alone(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        progress = programme_progress(session, OPERATOR, programme_id=1, now=NOW)
    names = progress.deliverables[["deliverable_id", "ref", "title"]].drop_duplicates()
    alone = pd.concat(
        [
            forecast(group).assign(deliverable_id=deliverable_id)
            for deliverable_id, group in progress.deliverables.groupby("deliverable_id")
        ],
        ignore_index=True,
    ).merge(names, on="deliverable_id")
    assert len(alone) > 10
    pd.testing.assert_frame_equal(progress.deliverable_forecasts, alone)
