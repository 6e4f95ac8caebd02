"""One deliverable's issue map, read narrowly (only the issues its scopes can reach), is the
whole programme's map narrowed to it: the sprint review reads it for one deliverable."""

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.models import Deliverable, DeliverableScope, JiraIssue, ScopeKind
from tracker.services.delivery.issues import _deliverable_issue_map

pytestmark = pytest.mark.db


def test_each_deliverable_maps_the_issues_the_whole_map_gives_it(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        # an epic scope reaching sub-tasks, as the large programme's deliverables are scoped
        epic = session.execute(
            select(JiraIssue.site_id, JiraIssue.parent_key).where(
                JiraIssue.is_subtask,
                JiraIssue.parent_key.is_not(None),  # type: ignore[union-attr]
            )
        ).first()
        deliverables = list(session.execute(select(Deliverable)).scalars())
        assert epic is not None
        session.add(
            DeliverableScope(
                deliverable_id=deliverables[0].id,
                site_id=epic.site_id,
                kind=ScopeKind.epic,
                value=epic.parent_key.lower(),  # matched ignoring case, as the whole map does
            )
        )
        session.flush()
        kinds = set()
        for deliverable in deliverables:
            whole = _deliverable_issue_map(session, deliverable.programme_id)
            expected = whole.loc[whole["deliverable_id"] == deliverable.id].reset_index(drop=True)
            narrow = _deliverable_issue_map(session, deliverable.programme_id, {deliverable.id})
            pd.testing.assert_frame_equal(narrow, expected, obj=deliverable.ref)
            kinds |= {
                s.kind
                for s in session.execute(
                    select(DeliverableScope).where(
                        DeliverableScope.deliverable_id == deliverable.id
                    )
                ).scalars()
            }
        assert {ScopeKind.board, ScopeKind.epic, ScopeKind.label} <= kinds
