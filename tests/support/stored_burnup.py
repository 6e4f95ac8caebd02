"""Reading a programme's progress both ways, from the burnup stored at sync time and worked out
live, for tests/services/test_stored_burnup.py and tests/jira/test_stored_burnup.py."""

from unittest import mock

import pandas as pd
from sqlalchemy import delete, func, select
from sqlmodel import Session

from tracker.metrics.forecast import Measure
from tracker.models import StoredBurnup
from tracker.policy import OPERATOR
from tracker.services.delivery import stored_burnup
from tracker.services.delivery.sprints import ProgrammeProgress, programme_progress

FIGURES = ("burnup", "forecast", "deliverables", "deliverable_forecasts", "targets")


def refusing_live() -> mock._patch:  # type: ignore[type-arg]
    """Working the burnup out live fails the test: the figures must come from the store."""
    return mock.patch.object(
        stored_burnup, "_live_burnup", side_effect=AssertionError("worked out live")
    )


def progress_both_ways(
    session: Session, programme_id: int, now: pd.Timestamp, measure: Measure
) -> tuple[ProgrammeProgress, ProgrammeProgress]:
    """programme_progress read from the stored burnup (working it out live refused), then live
    (the stored row dropped, then rolled back)."""
    held = select(func.count()).select_from(StoredBurnup)
    assert session.execute(held.where(StoredBurnup.programme_id == programme_id)).scalar_one()
    with refusing_live():
        stored = programme_progress(
            session, OPERATOR, programme_id=programme_id, measure=measure, now=now
        )
    session.execute(delete(StoredBurnup))
    live = programme_progress(
        session, OPERATOR, programme_id=programme_id, measure=measure, now=now
    )
    session.rollback()
    return stored, live


def assert_same_progress(stored: ProgrammeProgress, live: ProgrammeProgress, where: str) -> None:
    for name in FIGURES:
        pd.testing.assert_frame_equal(
            getattr(stored, name), getattr(live, name), obj=f"{where} {name}"
        )
