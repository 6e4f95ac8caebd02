"""Every shape of tests/jira/shapes, imported and synced into a programme scoped to its boards,
reads the same programme burnup and forecasts from the burnup the import or the sync stored as
worked out live (tests/services/test_stored_burnup.py does so on the demo, and shows when a
stored burnup is not read)."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.support.jira import LiveSite
from tests.support.stored_burnup import assert_same_progress, progress_both_ways
from tracker.db import session_scope
from tracker.errors import Invalid
from tracker.jira_sync.dataset import read_dataset
from tracker.models import (
    Deliverable,
    DeliverableScope,
    JiraSite,
    Organisation,
    OrgKind,
    Programme,
    ScopeKind,
    StoredBurnup,
)
from tracker.policy import OPERATOR
from tracker.services.delivery.stored_burnup import _inputs
from tracker.services.jira.sites import import_directory, sync_site

pytestmark = pytest.mark.db

SHAPES = Path(__file__).parent / "shapes"


def programme_of_boards(engine: Engine, site: str, boards: list[int]) -> int:
    """A programme with a deliverable per board of the site (a board scope each)."""
    with session_scope(engine) as session:
        site_id = session.execute(select(JiraSite.id).where(JiraSite.name == site)).scalar_one()
        council = Organisation(name="Shape Council", kind=OrgKind.council)
        programme = Programme(name="Shapes")
        session.add_all([council, programme])
        session.flush()
        for board in boards:
            deliverable = Deliverable(
                programme_id=programme.id or 0,
                ref=f"B-{board}",
                title=f"Board {board}",
                owner_org_id=council.id or 0,
            )
            session.add(deliverable)
            session.flush()
            session.add(
                DeliverableScope(
                    deliverable_id=deliverable.id or 0,
                    site_id=site_id,
                    kind=ScopeKind.board,
                    value=str(board),
                )
            )
        return programme.id or 0


@pytest.mark.parametrize("way", ["import", "sync"])
@pytest.mark.parametrize("shape", sorted(p.name for p in SHAPES.iterdir() if p.is_dir()))
def test_each_shape_reads_the_same_burnup_stored_as_live(
    engine: Engine, live_site: Callable[..., LiveSite], shape: str, way: str
) -> None:
    data = read_dataset(SHAPES / shape)
    boards = sorted(int(b) for b in data["boards"])
    if way == "import":
        try:  # the first import makes the site the scopes name; the second stores the burnup
            site = import_directory(engine, OPERATOR, directory=SHAPES / shape).site
        except Invalid:
            pytest.skip(f"{shape} is refused whole by the import (see test_shapes.py)")
        programme_id = programme_of_boards(engine, site, boards)
        import_directory(engine, OPERATOR, directory=SHAPES / shape)
    else:
        live = live_site(data["site"]["kind"], data)
        programme_id = programme_of_boards(engine, live.name, boards)
        synced = sync_site(
            engine, OPERATOR, site_name=live.name, boards=tuple(boards), options=live.options()
        )
        if not synced.ok:
            pytest.skip(f"{shape} is refused whole by the sync (see test_shapes.py)")
    with Session(engine) as session:
        row = session.execute(
            select(StoredBurnup).where(StoredBurnup.programme_id == programme_id)
        ).scalar_one()
        assert row.inputs == _inputs(session, programme_id)  # stored after the last write
        if not row.burnup:
            return  # no issue on the boards: the page works the empty burnup out live
        stored_day = pd.Timestamp(row.computed_at) + pd.Timedelta(hours=1)
        for now in (stored_day, stored_day + pd.Timedelta(weeks=3)):
            for measure in ("issues", "points"):
                stored, live_figures = progress_both_ways(session, programme_id, now, measure)  # type: ignore[arg-type]
                assert len(stored.burnup) and len(stored.deliverables)
                assert_same_progress(stored, live_figures, f"{shape} {now} {measure}")
