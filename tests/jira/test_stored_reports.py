"""Every shape of tests/jira/shapes, imported and synced, reads the same closed-sprint figures
from the reports stored at sync time as worked out live (see tests/services/test_stored_reports.py
for the demo and for when they are worked out again)."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tests.support.jira import LiveSite
from tests.support.stored_reports import assert_same, both_ways, every_review
from tracker.errors import Invalid
from tracker.jira_sync.dataset import read_dataset
from tracker.models import JiraBoard, StoredSprintReport
from tracker.policy import OPERATOR
from tracker.services.delivery.stored_reports import _store_sprint_reports
from tracker.services.jira.sites import import_directory

pytestmark = pytest.mark.db

SHAPES = Path(__file__).parent / "shapes"


@pytest.mark.parametrize("way", ["import", "sync"])
@pytest.mark.parametrize("shape", sorted(p.name for p in SHAPES.iterdir() if p.is_dir()))
def test_each_shape_reads_the_same_figures_stored_as_live(
    engine: Engine, live_site: Callable[..., LiveSite], shape: str, way: str
) -> None:
    if way == "import":
        try:
            import_directory(engine, OPERATOR, directory=SHAPES / shape)
        except Invalid:
            pytest.skip(f"{shape} is refused whole by the import (see test_shapes.py)")
    else:
        data = read_dataset(SHAPES / shape)
        site = live_site(data["site"]["kind"], data)
        if not site.sync(boards=tuple(data["boards"])).ok:
            pytest.skip(f"{shape} is refused whole by the sync (see test_shapes.py)")
    with Session(engine) as session:
        # the import stores them itself; the test server's sync is the bare jira_sync one
        for board_id in session.execute(select(JiraBoard.id)).scalars():
            _store_sprint_reports(session, board_id, datetime.now(UTC))
        session.commit()
        if not session.execute(select(func.count()).select_from(StoredSprintReport)).scalar_one():
            return  # no closed sprint, or no done column on the board: nothing stored
        stored, live = both_ways(session, lambda: every_review(session, OPERATOR))
        assert_same(stored, live, shape)
