"""Every shape of tests/jira/shapes, imported and synced, reads the same closed-sprint figures
from the reports stored at sync time as worked out live (see tests/services/test_stored_reports.py
for the demo and for when they are worked out again)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tests.jira.test_shapes import SHAPES, Load, load, tracker  # noqa: F401 (fixtures)
from tests.services.test_stored_reports import assert_same, both_ways, every_review
from tracker.models import JiraBoard, StoredSprintReport
from tracker.policy import OPERATOR
from tracker.services.delivery.stored_reports import _store_sprint_reports

pytestmark = pytest.mark.db


@pytest.mark.parametrize("shape", sorted(p.name for p in SHAPES.iterdir() if p.is_dir()))
def test_each_shape_reads_the_same_figures_stored_as_live(
    load: Load,  # noqa: F811
    engine: Engine,
    shape: str,
) -> None:
    try:
        load(shape)
    except AssertionError as exc:
        if "nothing was imported" in str(exc) or "the sync cannot read" in str(exc):
            pytest.skip(f"{shape} is refused whole this way (see test_shapes.py)")
        raise
    with Session(engine) as session:
        # the import stores them itself; the test server's sync is the bare jira_sync one
        for board_id in session.execute(select(JiraBoard.id)).scalars():
            _store_sprint_reports(session, board_id, datetime.now(UTC))
        session.commit()
        if not session.execute(select(func.count()).select_from(StoredSprintReport)).scalar_one():
            return  # no closed sprint, or no done column on the board: nothing stored
        stored, live = both_ways(session, lambda: every_review(session, OPERATOR))
        assert_same(stored, live, shape)
